/* global process, console, fetch, AbortSignal -- Node 20 globals; this file runs in the image as is */
// The image's HEALTHCHECK: exits 0 when this container's Ordo answers GET /healthz with 200.
//
//   node docker/healthcheck.js                  GET /healthz on HOST:PORT (a wildcard HOST: 127.0.0.1)
//   node docker/healthcheck.js URL [STATUS]     GET URL, healthy when it answers STATUS (200)
//
// compose.yaml checks the built-in gateway with the second form: it has no /healthz, and answers
// 401 to a request without an API key once it listens.
const wildcard = new Set(['0.0.0.0', '::', '[::]']);
const host = !process.env.HOST || wildcard.has(process.env.HOST) ? '127.0.0.1' : process.env.HOST;
const url =
  process.argv[2] ??
  `http://${host.includes(':') ? `[${host}]` : host}:${process.env.PORT || 3000}/healthz`;
const expected = Number(process.argv[3] ?? 200);

try {
  const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(4_000) });
  await response.body?.cancel();
  if (response.status === expected) process.exit(0);
  console.error(`unhealthy: ${url} answered ${response.status}, expected ${expected}`);
} catch (error) {
  // fetch reports a refused connection as "fetch failed" with the reason in `cause`.
  const reason = error instanceof Error ? (error.cause ?? error) : error;
  console.error(`unhealthy: ${url}: ${reason instanceof Error ? reason.message : String(reason)}`);
}
process.exit(1);
