import type { RouteOptions } from 'fastify';
import { z } from 'zod';
import { errorStatus, type ErrorCode } from './errors.js';

const codes = Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]];

/**
 * The problem+json body of every error (RFC 9457), as `sendProblem` writes it. Loose, so the
 * serializer never refuses a problem that carries one more field than documented.
 */
export const problemSchema = z
  .looseObject({
    type: z.string().describe('`urn:ordo:problem:<code in kebab case>`'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z
      .enum(codes)
      .describe('Stable error code (src/shared/errors.ts lists each with when it fires)'),
    requestId: z.string().describe('Also the `x-request-id` response header; finds the log line'),
    errors: z
      .array(
        z.union([
          z.object({ path: z.string(), message: z.string() }),
          z.object({
            row: z
              .number()
              .int()
              .describe('the row as a spreadsheet numbers it: the header is row 1'),
            message: z.string().describe('the column and what is wrong with it'),
          }),
        ]),
      )
      .optional()
      .describe(
        'VALIDATION_FAILED: each field that is wrong, `{path, message}`; IMPORT_INVALID: each bad row of the file, `{row, message}`, by row (the first 1000)',
      ),
    created: z
      .number()
      .int()
      .optional()
      .describe('IMPORT_INVALID: the products the rest of the file would create'),
    updated: z
      .number()
      .int()
      .optional()
      .describe('IMPORT_INVALID: the products the rest of the file would change'),
    unchanged: z
      .number()
      .int()
      .optional()
      .describe('IMPORT_INVALID: the products it leaves as they are'),
    errorCount: z
      .number()
      .int()
      .optional()
      .describe('IMPORT_INVALID: how many errors the file has (`errors` lists the first 1000)'),
    details: z
      .array(z.unknown())
      .optional()
      .describe('OUT_OF_STOCK, PRODUCT_UNIT_LIMIT, PAYMENT_DECLINED: one entry per cause'),
  })
  .meta({ id: 'Problem' });

const codesWith = (status: number) =>
  codes.filter((code) => errorStatus[code] === status).map((code) => `\`${code}\``);

const DESCRIPTIONS: Record<number, string> = {
  400: 'The body, query, parameters or headers do not match the schema, or the JSON is malformed',
  401: 'No bearer token, or one that is malformed, expired or no longer in force (logout, password change or reset, role change, deleted account)',
  403: 'Signed in, but the role (or an unverified email) does not allow this',
  404: 'No such resource, or one that belongs to someone else',
  409: 'The request conflicts with the current state',
  413: 'The body is larger than the route accepts',
  415: 'The Content-Type is not one the route accepts',
  422: 'A business rule refuses the request',
  429: 'Too many requests; wait for `Retry-After` seconds',
  503: 'A dependency (the database, Redis) is not answering; retry later',
};

const problemResponse = (status: number) => ({
  description: `${DESCRIPTIONS[status]}. \`code\`: ${codesWith(status).join(', ')}.`,
  content: { 'application/problem+json': { schema: problemSchema } },
});

/** The statuses an operation can fail with, from what its declaration says it does. */
export function errorStatusesOf(route: Pick<RouteOptions, 'method' | 'url' | 'schema' | 'config'>) {
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  const methods = [route.method].flat();
  const unsafe = methods.some((m) => !['GET', 'HEAD', 'OPTIONS'].includes(m));
  const config = (route.config ?? {}) as Record<string, unknown>;
  const statuses = new Set<number>([503]);
  if (schema.body || schema.querystring || schema.params || schema.headers) statuses.add(400);
  // Any request with a body is parsed by content type, declared body or not (webhooks read raw):
  // malformed JSON is a 400 there too.
  if (schema.body || unsafe) statuses.add(400).add(413).add(415);
  if (schema.security) statuses.add(401).add(403);
  // Login and refresh refuse credentials without a bearer token: INVALID_CREDENTIALS, INVALID_REFRESH_TOKEN.
  if (route.url.startsWith('/api/v1/auth/')) statuses.add(401);
  if (route.url.includes(':')) statuses.add(404);
  if (unsafe && route.url.startsWith('/api/')) statuses.add(409).add(422);
  if (config.rateLimit || config.promoAttempts) statuses.add(429);
  return [...statuses].sort();
}

/**
 * Documents an operation's error responses with the problem schema, for each status the
 * operation can answer (`errorStatusesOf`), without replacing any the route declares itself.
 * Applied to every route from an onRoute hook (`http-security.ts`), so no route file repeats it.
 */
export function addErrorResponses(route: RouteOptions): void {
  const schema = route.schema as (Record<string, unknown> & { hide?: boolean }) | undefined;
  if (!schema || schema.hide) return;
  const response = (schema.response ??= {}) as Record<string, unknown>;
  for (const status of errorStatusesOf(route)) {
    response[status] ??= problemResponse(status);
  }
}
