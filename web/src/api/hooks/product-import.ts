import { useMutation } from '@tanstack/react-query';
import { sessionFetch } from '../client';
import { isProblem, ProblemError } from '../problem';
import type { components } from '../schema.gen';
import { invalidatePaths } from './cache';

export type ImportReport = components['schemas']['ImportReport'];

/** A checked or imported file: the report, and whether the file passed (no bad rows). */
export interface ImportOutcome {
  ok: boolean;
  dryRun: boolean;
  report: ImportReport;
}

/** The report a 422 IMPORT_INVALID carries beside its problem fields, or none. */
export function importReportOf(body: unknown): ImportReport | undefined {
  if (!isProblem(body) || body.code !== 'IMPORT_INVALID') return undefined;
  const report = body as unknown as Partial<ImportReport>;
  if (!Array.isArray(report.errors)) return undefined;
  return {
    created: report.created ?? 0,
    updated: report.updated ?? 0,
    unchanged: report.unchanged ?? 0,
    errors: report.errors,
    errorCount: report.errorCount ?? report.errors.length,
  };
}

/**
 * Sends a CSV file to the import, as a dry run (a check that writes nothing) or for real.
 * A file with bad rows is an answer, not a failure: it resolves with `ok: false` and the
 * rows; any other refusal throws a ProblemError.
 */
async function sendImport({
  file,
  dryRun,
}: {
  file: File;
  dryRun: boolean;
}): Promise<ImportOutcome> {
  // Multipart through the session's fetch: the typed client sends JSON only.
  const body = new FormData();
  body.append('file', file);
  const response = await sessionFetch(
    new Request(`/api/v1/admin/products/import${dryRun ? '?dryRun=true' : ''}`, {
      method: 'POST',
      body,
    }),
  );
  const json: unknown = await response.json().catch(() => undefined);
  if (response.ok) return { ok: true, dryRun, report: json as ImportReport };
  const report = importReportOf(json);
  if (report) return { ok: false, dryRun, report };
  throw new ProblemError(
    isProblem(json)
      ? json
      : { title: 'The file was not imported', status: response.status, code: 'UNKNOWN' },
  );
}

/** Check a file (`dryRun: true`) or import it; an import that wrote invalidates the catalog. */
export function useImportProducts() {
  return useMutation({
    mutationFn: sendImport,
    onSuccess: async (outcome) => {
      if (outcome.dryRun || !outcome.ok) return;
      await invalidatePaths(
        '/api/v1/admin/products',
        '/api/v1/admin/products/{id}',
        '/api/v1/admin/products/{id}/stock-movements',
        '/api/v1/admin/variants/{id}/stock-movements',
        '/api/v1/products',
        '/api/v1/products/{id}',
        '/api/v1/admin/categories',
        '/api/v1/admin/stats',
      );
    },
  });
}
