import type { FuzzRequest } from './requests.js';
import type { ResponseValidator } from './openapi.js';

export interface FuzzResponse {
  status: number;
  contentType: string;
  text: string;
  body: unknown;
}

/** Sends one fuzzed request and reads the whole answer. */
export async function send(baseUrl: string, request: FuzzRequest): Promise<FuzzResponse> {
  const response = await fetch(baseUrl + request.url, {
    method: request.op.method,
    headers: request.headers,
    ...(request.body !== undefined ? { body: request.body as BodyInit } : {}),
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  let body: unknown = text;
  if (/json/.test(contentType) && text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = { unparsable: text.slice(0, 200) };
    }
  }
  return { status: response.status, contentType, text, body };
}

/**
 * What is wrong with an answer, by the issue's rules: never a 5xx; every error problem+json
 * with a code; the status one the operation documents; the body its documented schema; a
 * request refused by construction answered with a 4xx. Empty when all is well.
 */
export function violationsOf(
  request: FuzzRequest,
  response: FuzzResponse,
  validator: ResponseValidator,
): string[] {
  const { op } = request;
  const { status, contentType, body } = response;
  const found: string[] = [];
  if (status >= 500) found.push(`a ${status}`);
  if (!op.statuses.includes(String(status))) {
    found.push(`status ${status} is not documented (${op.statuses.join(', ')})`);
  }
  if (request.refused && (status < 400 || status >= 500)) {
    found.push(`a ${request.kind} request as ${request.actor} was answered ${status}, not refused`);
  }
  if (status >= 400) {
    if (!contentType.startsWith('application/problem+json')) {
      found.push(`error with content-type ${contentType || '(none)'}`);
    }
    const problem = body as { code?: unknown; status?: unknown } | undefined;
    if (typeof problem?.code !== 'string') found.push('error without a string code');
    if (problem?.status !== status) found.push(`problem.status ${String(problem?.status)}`);
  }
  const schema = validator.schemaFor(op, status, contentType);
  const documented = op.responses[String(status)]?.content as Record<string, unknown> | undefined;
  if (documented && Object.keys(documented).length > 0 && !schema && response.text) {
    found.push(`content-type ${contentType} is not among ${Object.keys(documented).join(', ')}`);
  }
  if (!documented && response.text && status !== 304) {
    found.push(`a body where ${status} documents none`);
  }
  if (schema && (contentType.includes('json') || typeof body === 'string')) {
    const errors = validator.errorsOf(`${op.id} ${status} ${contentType}`, schema, body);
    if (errors) found.push(`body does not match the documented ${status} schema: ${errors}`);
  }
  return found;
}

/** A request as one line, for a failure message or a counterexample. */
export function describeRequest(request: FuzzRequest): string {
  const body =
    request.body === undefined
      ? ''
      : typeof request.body === 'string'
        ? ` ${request.body.length > 300 ? `${request.body.slice(0, 300)}… (${request.body.length} chars)` : request.body}`
        : request.body instanceof FormData
          ? ' (multipart)'
          : ` (${request.body.length} bytes)`;
  const headers = Object.entries(request.headers)
    .filter(([k]) => k !== 'authorization')
    .map(([k, v]) => `${k}: ${v.length > 60 ? `${v.slice(0, 60)}…` : v}`)
    .join('; ');
  const url = request.url.length > 300 ? `${request.url.slice(0, 300)}…` : request.url;
  return `[${request.kind} as ${request.actor}] ${request.op.method} ${url}${headers ? ` {${headers}}` : ''}${body}`;
}
