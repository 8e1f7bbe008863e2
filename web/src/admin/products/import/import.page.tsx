import { zodResolver } from '@hookform/resolvers/zod';
import { Link } from '@tanstack/react-router';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { useImportProducts, type ImportOutcome } from '../../../api/hooks/product-import';
import {
  Alert,
  Button,
  Card,
  Field,
  Input,
  Page,
  ProblemAlert,
  Table,
  TBody,
  Td,
  Th,
  THead,
  Tr,
} from '../../../ui';
import { useCsvDownload } from '../../orders/csv-download';
import {
  changedCount,
  importButtonLabel,
  importSummary,
  MAX_IMPORT_BYTES,
  problemsSummary,
  sameFile,
} from './import-logic';

const EXPORT_PATH = '/api/v1/admin/products/export.csv';

const fileSchema = z.object({
  files: z
    .custom<FileList | undefined>()
    .refine((files) => files?.[0] !== undefined, 'Choose a CSV file first.')
    .refine(
      (files) => (files?.[0]?.size ?? 0) <= MAX_IMPORT_BYTES,
      'The file is larger than 10 MB: split it by product.',
    ),
});

/**
 * Products from a CSV file in the export's format: choose the file, check it (a dry run that
 * writes nothing and lists every bad row), then import it: all rows or none. The import button
 * is enabled only once the check of this very file passed.
 */
export function ImportProductsPage() {
  const check = useImportProducts();
  const run = useImportProducts();
  const exportCsv = useCsvDownload();
  const form = useForm({ resolver: zodResolver(fileSchema) });
  const files = form.register('files', {
    onChange: () => {
      check.reset();
      run.reset();
      form.clearErrors();
    },
  });
  const submit = form.handleSubmit(({ files: picked }) => {
    run.reset();
    const file = picked?.[0];
    if (file) check.mutate({ file, dryRun: true });
  });
  const chosen = form.watch('files')?.[0];
  const checked =
    check.data?.ok && sameFile(check.variables?.file, chosen) ? check.data : undefined;
  const imported = run.data?.ok ? run.data : undefined;

  return (
    <Page
      title="Import products"
      actions={
        <Button
          variant="secondary"
          busy={exportCsv.isPending}
          onClick={() => exportCsv.mutate(EXPORT_PATH)}
        >
          Export CSV
        </Button>
      }
    >
      <Card>
        <div className="space-y-2 text-sm text-slate-700">
          <p>
            Import a CSV file in the format of the export: one row per variant, rows matched to the
            catalog by <code>product_sku</code> and <code>sku</code>. Export the catalog for a file
            to start from. An empty cell keeps what the catalog has; a <code>stock</code> sets the
            stock (through the stock ledger), so leave it empty when the file is older than the last
            orders.
          </p>
          <p>
            The check lists every bad row and writes nothing. The import writes all rows or none.
          </p>
        </div>
        <form
          className="mt-4 flex flex-wrap items-end gap-3"
          onSubmit={(e) => void submit(e)}
          aria-label="Check a CSV file"
        >
          <Field
            label="CSV file"
            hint="UTF-8 CSV, at most 10 MB"
            error={form.formState.errors.files?.message}
            className="min-w-0 flex-1"
          >
            {(props) => <Input {...props} type="file" accept=".csv,text/csv" {...files} />}
          </Field>
          <Button type="submit" variant="secondary" busy={check.isPending}>
            Check file
          </Button>
        </form>
      </Card>

      {exportCsv.isError && <ProblemAlert error={exportCsv.error} title="Export failed" />}
      {check.isError && <ProblemAlert error={check.error} title="The file could not be checked" />}
      {run.isError && <ProblemAlert error={run.error} title="The file was not imported" />}

      {check.data && !check.data.ok && <ImportProblems outcome={check.data} />}
      {run.data && !run.data.ok && <ImportProblems outcome={run.data} />}

      {checked && !imported && (
        <Card title="Check passed">
          <p className="text-sm text-slate-700">
            The file is ready to import: {importSummary(checked.report)}.
          </p>
          {changedCount(checked.report) === 0 && (
            <p className="mt-1 text-sm text-slate-600">The file changes nothing in the catalog.</p>
          )}
          <Button
            className="mt-4"
            busy={run.isPending}
            disabled={run.isPending || changedCount(checked.report) === 0}
            onClick={() => {
              if (chosen) run.mutate({ file: chosen, dryRun: false });
            }}
          >
            {importButtonLabel(checked.report)}
          </Button>
        </Card>
      )}

      {imported && (
        <Alert tone="success" title="Products imported">
          <p>{importSummary(imported.report)}.</p>
          <Link to="/admin/products" className="mt-2 inline-block font-medium underline">
            Back to products
          </Link>
        </Alert>
      )}
    </Page>
  );
}

/** A file with bad rows: how many, and a table of each row and why. */
function ImportProblems({ outcome }: { outcome: ImportOutcome }) {
  const { report } = outcome;
  return (
    <section aria-labelledby="import-problems" className="space-y-3">
      <Alert tone="error" title="The file has problems">
        <p>{problemsSummary(report.errorCount, report.errors.length)}</p>
      </Alert>
      <h2 id="import-problems" className="text-lg font-semibold text-slate-900">
        Rows to fix
      </h2>
      <Table>
        <caption className="sr-only">Rows to fix, by row number (the header is row 1)</caption>
        <THead>
          <tr>
            <Th className="w-20">Row</Th>
            <Th>Problem</Th>
          </tr>
        </THead>
        <TBody>
          {report.errors.map((error, i) => (
            <Tr key={`${error.row}-${i}`}>
              <Td className="tabular-nums">{error.row}</Td>
              <Td className="break-words">{error.message}</Td>
            </Tr>
          ))}
        </TBody>
      </Table>
    </section>
  );
}
