import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';

/**
 * Compression of the API's larger JSON answers (a catalog page of 12 products is 9.5 kB, 2 kB
 * compressed) for browsers that accept it. The web UI's scripts and styles are compressed at
 * build time (vite.config.ts) and index.html is under the threshold, so this is JSON only.
 *
 * Not @fastify/compress: that compresses every answer through a stream on each request. Here a
 * body under MIN_BYTES goes out as it is (a packet's worth gains nothing), and an answer with an
 * ETag (the cached catalog reads) is compressed once per encoding and kept, so the cached
 * catalog, the hottest read, pays a lookup and a comparison. Clients that send no
 * Accept-Encoding (the bench's load generator, curl) pay one header check.
 */
const MIN_BYTES = 1024;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/;
// Measured on a 9 kB catalog page: quality 2 takes about 0.1 ms (gzip 6: 0.17 ms, brotli 4:
// 0.37 ms) for a body a few percent larger than 4's; 11, used at build time, is for files.
const BROTLI_QUALITY = 2;

type Encoding = 'br' | 'gzip';

const compressors: Record<Encoding, (body: Buffer) => Buffer> = {
  br: (body) =>
    brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
  gzip: (body) => gzipSync(body, { level: 6 }),
};

/** The encoding to use from an Accept-Encoding header: br, else gzip, else none (q=0 refuses). */
export function chooseEncoding(header: string | undefined): Encoding | undefined {
  if (!header) return undefined;
  const accepted = new Set<string>();
  for (const part of header.toLowerCase().split(',')) {
    const [name = '', ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) continue;
    accepted.add(name.trim());
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip') || accepted.has('*')) return 'gzip';
  return undefined;
}

function compressible(reply: FastifyReply, payload: unknown): payload is string | Buffer {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return false;
  if (reply.getHeader('content-encoding') !== undefined) return false;
  const type = reply.getHeader('content-type');
  return typeof type === 'string' && JSON_TYPE.test(type);
}

export function registerCompression(app: FastifyInstance): void {
  // Compressed bodies by encoding and ETag, each kept with the bytes it was made from: a weak
  // ETag (the catalog's) promises the same meaning, not the same bytes, so a hit is compared.
  const byEtag = new LRUCache<string, { body: Buffer; compressed: Buffer }>({
    maxSize: 16 * 1024 * 1024,
    sizeCalculation: (entry) => entry.body.length + entry.compressed.length,
  });

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!compressible(reply, payload)) return payload;
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    if (body.length < MIN_BYTES) return payload;
    void reply.header('vary', appendVary(reply.getHeader('vary')));
    const encoding = chooseEncoding(request.headers['accept-encoding']);
    if (!encoding) return payload;

    const etag = reply.getHeader('etag');
    const key = typeof etag === 'string' ? `${encoding} ${etag}` : undefined;
    const kept = key === undefined ? undefined : byEtag.get(key);
    let compressed = kept?.body.equals(body) ? kept.compressed : undefined;
    if (!compressed) {
      compressed = compressors[encoding](body);
      if (key !== undefined) byEtag.set(key, { body, compressed });
    }
    // Other bytes for the same content: a strong ETag becomes weak (If-None-Match still matches).
    if (typeof etag === 'string' && etag.startsWith('"')) void reply.header('etag', `W/${etag}`);
    void reply.header('content-encoding', encoding);
    reply.removeHeader('content-length');
    return compressed;
  });
}

function appendVary(current: unknown): string {
  const text = Array.isArray(current)
    ? current.join(', ')
    : typeof current === 'string'
      ? current
      : '';
  if (/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(text)) return text;
  return text ? `${text}, Accept-Encoding` : 'Accept-Encoding';
}
