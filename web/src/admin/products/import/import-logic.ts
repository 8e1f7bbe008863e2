/**
 * The import page's words, pure: what a checked file would do, and the import button's label.
 * The counts are the server's (a dry run); nothing here judges a row.
 */

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
}

const products = (n: number) => `${n} product${n === 1 ? '' : 's'}`;

/** The products an import of the file writes: created and updated. */
export const changedCount = (counts: ImportCounts): number => counts.created + counts.updated;

/** "2 new products, 1 updated, 10 unchanged": what a file does, in one line. */
export function importSummary(counts: ImportCounts): string {
  const parts = [
    `${counts.created} new ${counts.created === 1 ? 'product' : 'products'}`,
    `${counts.updated} updated`,
    `${counts.unchanged} unchanged`,
  ];
  return parts.join(', ');
}

/** The import button: "Import 3 products". */
export const importButtonLabel = (counts: ImportCounts): string =>
  `Import ${products(changedCount(counts))}`;

/** What the report says of a file with bad rows. */
export function problemsSummary(errorCount: number, listed: number): string {
  const what = `${errorCount} problem${errorCount === 1 ? '' : 's'}`;
  return listed < errorCount
    ? `The file has ${what} (the first ${listed} are listed). Nothing was imported: fix them and check the file again.`
    : `The file has ${what}. Nothing was imported: fix ${errorCount === 1 ? 'it' : 'them'} and check the file again.`;
}

/** The most an import file may weigh (the server's limit, MAX_IMPORT_BYTES). */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

/** Whether two picks of a file are the same file (a check stands for the file it checked). */
export const sameFile = (a: File | undefined, b: File | undefined): boolean =>
  a !== undefined &&
  b !== undefined &&
  a.name === b.name &&
  a.size === b.size &&
  a.lastModified === b.lastModified;
