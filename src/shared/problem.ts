import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type {
  FastifyBaseLogger,
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorCode, type FieldError, errorTitle } from './errors.js';
import { newId } from './ids.js';

/**
 * The one error handler: every failure leaves as application/problem+json (RFC 9457) with a
 * stable `code` and the `requestId`. A 5xx never carries internals; its log line does.
 */
export function registerProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toAppError(error);
    if (problem.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else if (problem.code === 'VALIDATION_FAILED') {
      request.log.info({ errors: problem.extra.errors }, 'request rejected');
    }
    return sendProblem(request, reply, problem);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      new AppError('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}

/** 400 VALIDATION_FAILED naming the first field (body, query or params) that holds a NUL character. */
export function rejectNul(request: FastifyRequest): void {
  for (const [where, value] of [
    ['body', request.body],
    ['querystring', request.query],
    ['params', request.params],
  ] as const) {
    const path = findNul(value, where);
    if (path) {
      throw new AppError('VALIDATION_FAILED', `${path}: must not contain a NUL character`, {
        errors: [{ path, message: 'must not contain a NUL character' }],
      });
    }
  }
}

function findNul(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (depth > 32 || value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return `${path}.${key.replaceAll('\u0000', '')}`;
    const found = findNul(item, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  // A dependency that is down is usually back within seconds (a restart, a failover).
  const retryAfter =
    error.extra.retryAfter ?? (error.status === 503 ? UNAVAILABLE_RETRY_AFTER_S : undefined);
  if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
  return reply
    .code(error.status)
    .type('application/problem+json')
    .send(problemBody(error, request.id));
}

/** An error as RFC 9457 problem details, with Ordo's `code` and the request's id. */
function problemBody(error: AppError, requestId: string) {
  const internal = error.status >= 500;
  return {
    // First, so no extension member can stand in for a standard one.
    ...(internal ? {} : error.extra.members),
    type: `urn:ordo:problem:${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: errorTitle(error.code),
    status: error.status,
    detail: internal ? errorTitle(error.code) : error.message,
    code: error.code,
    requestId,
    ...(error.extra.errors ? { errors: error.extra.errors } : {}),
    ...(error.extra.details ? { details: error.extra.details } : {}),
  };
}

function toAppError(error: FastifyError): AppError {
  if (error instanceof AppError) return error;

  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    const errors: FieldError[] = error.validation.flatMap((issue) => {
      const base = [where, ...issue.instancePath.split('/').filter(Boolean)].join('.');
      const keys = (issue.params as { keys?: string[] }).keys;
      if (issue.keyword === 'unrecognized_keys' && keys) {
        return keys.map((key) => ({ path: `${base}.${key}`, message: 'unknown field' }));
      }
      return [{ path: base, message: issue.message ?? 'invalid' }];
    });
    return new AppError(
      'VALIDATION_FAILED',
      errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      { errors },
    );
  }

  const status = error.statusCode ?? 500;
  if (status === 429) {
    return new AppError('RATE_LIMITED', 'Too many requests; slow down', {
      retryAfter: Number((error as { retryAfter?: number }).retryAfter ?? 60),
    });
  }
  if (status >= 400 && status < 500) {
    const code: ErrorCode =
      status === 413
        ? 'PAYLOAD_TOO_LARGE'
        : status === 415
          ? 'UNSUPPORTED_MEDIA_TYPE'
          : 'VALIDATION_FAILED';
    const detail = code === 'VALIDATION_FAILED' ? `body: ${error.message}` : error.message;
    return new AppError(
      code,
      detail,
      code === 'VALIDATION_FAILED' ? { errors: [{ path: 'body', message: error.message }] } : {},
    );
  }
  if (isUnavailable(error))
    return new AppError('UNAVAILABLE', 'A dependency is unavailable; retry shortly');
  return new AppError('INTERNAL');
}

/** Seconds a client is told to wait after a 503. */
const UNAVAILABLE_RETRY_AFTER_S = 2;

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
]);

/** Connection failures to PostgreSQL or Redis: the dependency is down, not a bug of ours. */
function isUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const { code, message } = e as { code?: string; message?: string };
    if (code && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
    if (
      message &&
      /Connection terminated|not queryable|terminating connection|timeout exceeded when trying to connect|Connection is closed/i.test(
        message,
      )
    )
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Node answers a request it could not parse (headers over its limit, a request that took too
 * long to arrive, bytes that are not HTTP) before any route or hook runs, and fastify's
 * default writes its own JSON. This answers those as problem+json too, straight to the socket
 * (no request exists), and closes the connection as Node does. The request id is fresh: the
 * request's own headers were never read.
 */
export function clientErrorHandler(
  this: { log: FastifyBaseLogger },
  error: NodeJS.ErrnoException,
  socket: Duplex,
): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const app =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new AppError('HEADERS_TOO_LARGE', 'The request line and headers exceed 16 KB')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AppError('REQUEST_TIMEOUT', 'The request did not arrive in time')
        : new AppError('VALIDATION_FAILED', 'The request is not well-formed HTTP');
  this.log.debug({ err: error }, 'client error');
  if (socket.writable) {
    const requestId = newId('req');
    const body = JSON.stringify(problemBody(app, requestId));
    socket.write(
      `HTTP/1.1 ${app.status} ${STATUS_CODES[app.status]}\r\n` +
        `content-type: application/problem+json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n` +
        `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
