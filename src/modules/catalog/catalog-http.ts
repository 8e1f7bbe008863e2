import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { etagMatches, type CatalogRead } from './catalog-cache.js';

export const notModified = z
  .undefined()
  .describe('Not Modified: the `If-None-Match` ETag is current');

/**
 * Answers a catalog read with its ETag, or 304 when the client already has it. `no-cache`
 * lets a browser keep the body but makes it ask every time, so it never shows an old price.
 * The body is sent as the JSON text the catalog cache keeps, so the catalog's hottest reads
 * skip the per-request schema pass and serialisation: the catalog's own mappers build it as
 * the response schema's type (the compiler checks that), and the fuzz suite checks every
 * answer against the document.
 */
export function conditional(request: FastifyRequest, reply: FastifyReply, read: CatalogRead) {
  void reply.header('etag', read.etag).header('cache-control', 'no-cache');
  if (etagMatches(request.headers['if-none-match'], read.etag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(read.json);
}
