import { Readable } from 'node:stream';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../shared/errors.js';
import { queryBoolean } from '../../shared/pagination.js';
import { actorOf, bearerSecurity, requireRole } from '../auth/auth.guard.js';
import { exportCatalogCsv, importCatalog, MAX_REPORTED_ERRORS } from './catalog-csv.service.js';
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, PRODUCT_CSV_FORMAT } from './product-csv.js';

/** Room for the multipart boundaries and part headers around a file of MAX_IMPORT_BYTES. */
const MULTIPART_OVERHEAD = 64 * 1024;

const tooLarge = () =>
  new AppError(
    'PAYLOAD_TOO_LARGE',
    `An import file is at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB; split it by product`,
  );

const rowError = z.object({
  row: z.number().int().describe('the row as a spreadsheet numbers it: the header is row 1'),
  message: z.string().describe('the column and what is wrong with it'),
});

const counts = {
  created: z.number().int().describe('products the file creates'),
  updated: z
    .number()
    .int()
    .describe('products the file changes (their fields, categories or variants, or a new variant)'),
  unchanged: z.number().int().describe('products the file names without changing anything'),
  errorCount: z
    .number()
    .int()
    .describe(`how many errors; \`errors\` lists the first ${MAX_REPORTED_ERRORS}`),
};

const importReportSchema = z
  .object({ ...counts, errors: z.array(rowError).describe('always empty in a success') })
  .meta({ id: 'ImportReport' });

const importQuery = z.strictObject({
  dryRun: queryBoolean
    .optional()
    .describe('true: check the file and answer what the import would do, writing nothing'),
});

/** The catalog as CSV: the export (GET) and the import of the same format (POST, multipart). */
export function catalogCsvRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    const admin = { onRequest: requireRole(ctx.tokens, 'admin') };
    const security = bearerSecurity;

    app.get(
      '/api/v1/admin/products/export.csv',
      {
        ...admin,
        schema: {
          tags: ['admin'],
          summary: 'The catalog as CSV, one row per variant (streamed); the import reads it back',
          description: `${PRODUCT_CSV_FORMAT} Archived products are left out. Rows come in product creation order, each product's variants in display order.`,
          security,
          response: {
            200: {
              description: 'the CSV file',
              content: { 'text/csv': { schema: z.string() } },
            },
          },
        },
      },
      async (_request, reply) => {
        const rows = await exportCatalogCsv(ctx);
        const day = ctx.clock.now().toISOString().slice(0, 10);
        return (
          reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="products-${day}.csv"`)
            .header('cache-control', 'no-store')
            // A stream is sent as it is (the schema above only documents it), page by page.
            .send(Readable.from(rows) as unknown as string)
        );
      },
    );

    // Multipart only in the import's own scope, as for image uploads.
    await app.register(async (upload: typeof app) => {
      await upload.register(fastifyMultipart, {
        limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 4, parts: 5, fieldSize: 1024 },
      });
      upload.post(
        '/api/v1/admin/products/import',
        {
          ...admin,
          schema: {
            tags: ['admin'],
            summary:
              "Import products from CSV (multipart field `file`, the export's format): all rows or none",
            description: `${PRODUCT_CSV_FORMAT}\n\nEvery row is checked against the catalog first. Any bad row and nothing is written: 422 \`IMPORT_INVALID\` lists each in \`errors\` as \`{row, message}\`, with the counts the rest would give. Otherwise the whole file is written in one transaction and the answer counts the products created, updated and unchanged. \`?dryRun=true\` answers the same way and writes nothing. Rows are matched by \`product_sku\` and \`sku\`; an empty cell keeps what the catalog has (except \`description\` and \`categories\` on a product's first row: empty means none). \`stock\` sets the variant's stock, the difference entering the ledger as an adjustment with reason "CSV import" (leave it empty to keep the stock, as orders move it). Nothing is deleted; options cannot be added, removed or renamed, and a variant keeps its option values. Archived products cannot be imported into. At most ${MAX_IMPORT_BYTES / 1024 / 1024} MB (413 PAYLOAD_TOO_LARGE) and ${MAX_IMPORT_ROWS} rows; a file that is not UTF-8 text is 415 UNSUPPORTED_MEDIA_TYPE.`,
            security,
            consumes: ['multipart/form-data'],
            querystring: importQuery,
            body: z
              .object({
                file: z.string().meta({ format: 'binary' }).describe('the CSV file'),
              })
              .nullish(),
            response: { 200: importReportSchema },
          },
        },
        async (request) => {
          const length = Number(request.headers['content-length'] ?? 0);
          if (length > MAX_IMPORT_BYTES + MULTIPART_OVERHEAD) throw tooLarge();
          if (!request.isMultipart()) {
            throw new AppError(
              'UNSUPPORTED_MEDIA_TYPE',
              'Send multipart/form-data with the CSV file in the field `file`',
            );
          }
          const part = await request.file();
          if (!part || part.fieldname !== 'file') {
            throw new AppError('VALIDATION_FAILED', 'body.file: a CSV file is required', {
              errors: [{ path: 'body.file', message: 'a CSV file is required' }],
            });
          }
          let bytes: Buffer;
          try {
            bytes = await part.toBuffer();
          } catch (error) {
            if (error instanceof upload.multipartErrors.RequestFileTooLargeError) throw tooLarge();
            throw error;
          }
          const { report } = await importCatalog(ctx, actorOf(request), bytes, {
            dryRun: request.query.dryRun ?? false,
          });
          return report;
        },
      );
    });
  };
}
