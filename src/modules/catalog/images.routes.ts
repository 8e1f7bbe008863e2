import fastifyMultipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { idParams } from '../../shared/schemas.js';
import { AppError, notFound } from '../../shared/errors.js';
import { bearerSecurity, requireRole } from '../auth/auth.guard.js';
import * as schemas from './catalog.schemas.js';
import * as catalog from './catalog.service.js';
import { MAX_IMAGE_BYTES } from './image-processing.js';
import * as images from './product-images.js';

const IMAGE_FILE = /^([0-9a-f]{32})-([1-9][0-9]{0,4})\.webp$/;
/** Room for the multipart boundaries and part headers around a file of MAX_IMAGE_BYTES. */
const MULTIPART_OVERHEAD = 64 * 1024;

const tooLarge = () =>
  new AppError(
    'PAYLOAD_TOO_LARGE',
    `An image upload is at most ${MAX_IMAGE_BYTES / 1024 / 1024} MB`,
  );

/** Admin image uploads, deletion and order; and the public, immutable image URLs. */
export function imageRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    const admin = { onRequest: requireRole(ctx.tokens, 'admin') };
    const security = bearerSecurity;

    // Multipart only in the upload's own scope: every other route, the image routes beside it
    // included, keeps answering 415 to it.
    await app.register(async (upload: typeof app) => {
      await upload.register(fastifyMultipart, {
        limits: { fileSize: MAX_IMAGE_BYTES, files: 1, fields: 4, parts: 5, fieldSize: 1024 },
      });
      upload.post(
        '/api/v1/admin/products/:id/images',
        {
          ...admin,
          schema: {
            tags: ['admin'],
            summary: 'Upload a product image (multipart field `file`), added after the others',
            description: `JPEG, PNG or WebP, recognised by its bytes (never its name or Content-Type), at most 5 MB (413 PAYLOAD_TOO_LARGE) and 40 megapixels (422 IMAGE_TOO_MANY_PIXELS). Anything else is 415 UNSUPPORTED_MEDIA_TYPE and nothing is stored. The image is auto-oriented, stripped of metadata and stored as WebP 320, 640 and 1280 px wide (never enlarged). Answers with the product.`,
            security,
            consumes: ['multipart/form-data'],
            params: idParams,
            body: schemas.imageUploadBody,
            response: { 201: schemas.adminProductSchema },
          },
        },
        async (request, reply) => {
          const length = Number(request.headers['content-length'] ?? 0);
          if (length > MAX_IMAGE_BYTES + MULTIPART_OVERHEAD) throw tooLarge();
          if (!request.isMultipart()) {
            throw new AppError(
              'UNSUPPORTED_MEDIA_TYPE',
              'Send multipart/form-data with the image in the field `file`',
            );
          }
          const part = await request.file();
          if (!part || part.fieldname !== 'file') {
            throw new AppError('VALIDATION_FAILED', 'body.file: an image file is required', {
              errors: [{ path: 'body.file', message: 'an image file is required' }],
            });
          }
          let bytes: Buffer;
          try {
            bytes = await part.toBuffer();
          } catch (error) {
            if (error instanceof upload.multipartErrors.RequestFileTooLargeError) throw tooLarge();
            throw error;
          }
          await images.addProductImage(ctx, request.params.id, bytes);
          return reply.code(201).send(await catalog.adminGetProduct(ctx, request.params.id));
        },
      );
    });

    app.delete(
      '/api/v1/admin/products/:id/images/:imageId',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          summary: 'Delete a product image and its variants',
          security,
          params: schemas.imageParams,
          response: { 204: z.undefined() },
        },
      },
      async (request, reply) => {
        await images.deleteProductImage(ctx, request.params.id, request.params.imageId);
        return reply.code(204).send();
      },
    );

    app.put(
      '/api/v1/admin/products/:id/images/order',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          summary: "Set the display order of a product's images (the first is `imageUrl`)",
          security,
          params: idParams,
          body: schemas.imageOrderBody,
          response: { 200: schemas.adminProductSchema },
        },
      },
      async (request) => {
        await images.orderProductImages(ctx, request.params.id, request.body.imageIds);
        return catalog.adminGetProduct(ctx, request.params.id);
      },
    );

    app.get(
      '/images/:file',
      {
        schema: {
          tags: ['catalog'],
          summary: 'A product image variant (WebP), at its content-hash URL',
          description:
            'Immutable: `Cache-Control: public, max-age=31536000, immutable`, a strong ETag, 304 on a matching If-None-Match.',
          params: schemas.imageFileParams,
          // Documents the bytes; a Buffer is sent as it is, never through the serializer.
          response: {
            200: {
              description: 'the WebP image',
              content: { 'image/webp': { schema: z.string().meta({ format: 'binary' }) } },
            },
            304: z.undefined().describe('Not Modified: the `If-None-Match` ETag is current'),
          },
        },
      },
      async (request, reply) => {
        const match = IMAGE_FILE.exec(request.params.file);
        if (!match) throw notFound('Image');
        const [, hash, width] = match as unknown as [string, string, string];
        const etag = `"${hash}-${width}"`;
        void reply
          .header('cache-control', 'public, max-age=31536000, immutable')
          .header('etag', etag)
          .header('x-content-type-options', 'nosniff')
          // Public pictures: a storefront on another origin (CORS_ORIGINS) may show them.
          .header('cross-origin-resource-policy', 'cross-origin');
        if (matchesEtag(request.headers['if-none-match'], etag)) {
          // Content-hash URLs never change what they serve: a matching tag needs no lookup.
          return reply.code(304).send();
        }
        const bytes = await images.readImageVariant(ctx, hash, Number(width));
        return reply.type('image/webp').send(bytes as unknown as string);
      },
    );
  };
}

/** If-None-Match: `*`, or a list of tags compared weakly (RFC 9110 §13.1.2). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
