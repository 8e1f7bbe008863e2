import { CsvError, parse } from 'csv-parse/sync';

/**
 * CSV as Ordo writes and reads it: RFC 4180 (fields separated by commas, records by CRLF, a
 * field with a comma, quote or line break in double quotes with its quotes doubled), UTF-8.
 * The writer guards spreadsheets against formulas; the reader undoes exactly that guard, so
 * what one writes the other reads back unchanged (test/csv.test.ts checks it on any text).
 */

/**
 * Text a spreadsheet would run as a formula (OWASP "CSV injection"): it starts with = + - @, a
 * tab or a carriage return, after any apostrophes. The apostrophes count so that a value that
 * itself starts with one (`'=x`) survives a round trip: the writer adds one, the reader takes
 * one away.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;

/**
 * One CSV field (RFC 4180): text that a spreadsheet would run as a formula gets a leading
 * apostrophe, and a field with a comma, quote or line break is quoted with quotes doubled.
 * Numbers are written as they are.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvRow = (fields: readonly (string | number | null | undefined)[]) =>
  `${fields.map(csvField).join(',')}\r\n`;

/** A field as csvField wrote it, without the apostrophe that kept a spreadsheet from running it. */
export const unguardField = (text: string): string =>
  text.startsWith("'") && FORMULA_START.test(text) ? text.slice(1) : text;

/** One record of a CSV text, with its place in the file. */
export interface CsvRecord {
  /** 1 for the first record (the header): the row number a spreadsheet shows for it. */
  row: number;
  fields: string[];
}

/** Where and why a CSV text is not well formed. */
export interface CsvSyntaxError {
  row: number;
  message: string;
}

/** What a syntax error of csv-parse means to a person fixing the file, by its code. */
const SYNTAX_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted value is not closed: a quote (") is missing',
  CSV_INVALID_CLOSING_QUOTE:
    'text after the closing quote of a value: put the whole value in quotes and double the quotes inside it ("")',
  INVALID_OPENING_QUOTE:
    'a quote (") inside a value that does not start with one: put the whole value in quotes and double the quotes inside it ("")',
};

/**
 * Reads CSV text (RFC 4180, and LF or CR line ends as well as CRLF) into records, with
 * csv-parse. A quote may only open a field or, doubled, stand for itself inside a quoted one:
 * anything else is a syntax error naming the record's row, and nothing is read past it (what
 * follows a broken quote cannot be trusted). Records may have different numbers of fields; the
 * caller judges them. A line break at the end of the text does not start another record.
 */
export function parseCsv(text: string): { records: CsvRecord[]; error?: CsvSyntaxError } {
  try {
    const rows: string[][] = parse(text, {
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    });
    return { records: rows.map((fields, i) => ({ row: i + 1, fields })) };
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const row = Number((error as CsvError & { records?: number }).records ?? 0) + 1;
    return {
      records: [],
      error: { row, message: SYNTAX_ERRORS[error.code] ?? 'the file is not CSV as Ordo reads it' },
    };
  }
}
