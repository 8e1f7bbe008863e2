import createFetchClient, { type Middleware } from 'openapi-fetch';
import createQueryClient from 'openapi-react-query';
import { QueryClient } from '@tanstack/react-query';
import type { paths } from './schema.gen';
import { isProblem, ProblemError } from './problem';
import { orderIdOfPath, orderTokenFor } from './order-tokens';
import { getAccessToken, refreshSession } from './session';

/**
 * fetch with the session: adds the access token (and a guest order's token to that order's
 * requests) and, when the server answers 401
 * TOKEN_EXPIRED, refreshes once (through the cookie) and retries the same request.
 */
export async function sessionFetch(request: Request): Promise<Response> {
  const retry = request.clone();
  const response = await fetch(withToken(request));
  if (response.status !== 401 || !getAccessToken()) return response;
  const problem: unknown = await response
    .clone()
    .json()
    .catch(() => undefined);
  if (!isProblem(problem) || problem.code !== 'TOKEN_EXPIRED') return response;
  if (!(await refreshSession())) return response;
  return fetch(withToken(retry));
}

function withToken(request: Request): Request {
  const token = getAccessToken();
  if (token) request.headers.set('authorization', `Bearer ${token}`);
  // A guest order's token, on that order's requests only (order-tokens.ts).
  const orderId = orderIdOfPath(new URL(request.url).pathname);
  const orderToken = orderId === undefined ? undefined : orderTokenFor(orderId);
  if (orderToken) request.headers.set('x-order-token', orderToken);
  return request;
}

/** Every error answer becomes a ProblemError, so hooks and callers see one shape. */
const problems: Middleware = {
  async onResponse({ response }) {
    if (response.ok) return undefined;
    const body: unknown = await response
      .clone()
      .json()
      .catch(() => undefined);
    throw new ProblemError(
      isProblem(body)
        ? body
        : {
            title: response.statusText || 'Request failed',
            status: response.status,
            code: 'UNKNOWN',
          },
    );
  },
};

/** The typed API client: paths, parameters and bodies checked against Ordo's OpenAPI document. */
export const api = createFetchClient<paths>({ baseUrl: '', fetch: sessionFetch });
api.use(problems);

/** Typed TanStack Query hooks over the same client: `$api.useQuery('get', '/api/v1/products', ...)`. */
export const $api = createQueryClient(api);

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      retry: (count, error) =>
        count < 2 && !(error instanceof ProblemError && error.status >= 400 && error.status < 500),
    },
  },
});

/** A fresh key for one attempt of an unsafe POST (orders, payments): retries of it replay. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
