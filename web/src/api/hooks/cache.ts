import { queryClient } from '../client';
import type { paths } from '../schema.gen';

/**
 * Query keys are openapi-react-query's: `['get', path, init]`, so `['get', path]` matches every
 * query on a path and `['get', path, byId(id)]` every query on one resource (TanStack matches
 * the init object partially, whatever its query string). Only the hooks in this folder use
 * these: pages call the hooks, and each hook invalidates what its request changed.
 */
type GetPath = {
  [P in keyof paths]: paths[P] extends { get: object } ? P : never;
}[keyof paths];

export const byId = (id: string) => ({ params: { path: { id } } });

/** Every query on these paths (a list and its pages, filters and sorts). */
export function invalidatePaths(...apiPaths: GetPath[]): Promise<void[]> {
  return Promise.all(
    apiPaths.map((path) => queryClient.invalidateQueries({ queryKey: ['get', path] })),
  );
}

/** The queries of one resource on these paths. */
export function invalidateResource(id: string, ...apiPaths: GetPath[]): Promise<void[]> {
  return Promise.all(
    apiPaths.map((path) => queryClient.invalidateQueries({ queryKey: ['get', path, byId(id)] })),
  );
}

/** Puts a resource the server just answered into the cached queries of it that exist. */
export function setResource<T>(path: GetPath, id: string, value: T | ((old: T) => T)): void {
  queryClient.setQueriesData<T>({ queryKey: ['get', path, byId(id)] }, (old) =>
    old === undefined ? old : typeof value === 'function' ? (value as (old: T) => T)(old) : value,
  );
}

export function removeResource(path: GetPath, id: string): void {
  queryClient.removeQueries({ queryKey: ['get', path, byId(id)] });
}

/** The answer's body: the client throws a ProblemError for any error, so none means a bug. */
export function answer<T>(result: { data?: T }): T {
  if (result.data === undefined) throw new Error('The server sent an empty answer');
  return result.data;
}

/** A request body as the API declares it. */
export type RequestBody<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;
