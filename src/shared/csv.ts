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

/**
 * Reads CSV text (RFC 4180, and LF or CR line ends as well as CRLF) into records. A quote may
 * only open a field or, doubled, stand for itself inside a quoted one: anything else is a
 * syntax error naming the record's row, and the reader stops there (what follows a broken
 * quote cannot be trusted). Records may have different numbers of fields; the caller judges
 * them. A line break at the end of the text does not start another record.
 */
export function parseCsv(text: string): { records: CsvRecord[]; error?: CsvSyntaxError } {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let i = 0;
  const n = text.length;
  const endRecord = () => {
    fields.push(field);
    records.push({ row: records.length + 1, fields });
    fields = [];
    field = '';
  };
  const error = (message: string) => ({ records, error: { row: records.length + 1, message } });
  while (i < n) {
    let c = text[i]!;
    if (c === '"' && field === '') {
      // A quoted field: to the closing quote, with "" for a quote.
      i++;
      let start = i;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote === -1) {
          return error('a quoted value is not closed: a quote (") is missing');
        }
        if (text[quote + 1] === '"') {
          field += text.slice(start, quote + 1);
          i = quote + 2;
          start = i;
          continue;
        }
        field += text.slice(start, quote);
        i = quote + 1;
        break;
      }
      if (i < n && !',\r\n'.includes(text[i]!)) {
        return error(
          'text after the closing quote of a value: put the whole value in quotes and double the quotes inside it ("")',
        );
      }
      c = text[i] ?? '';
      if (c === '') break;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else if (c === '"') {
      return error(
        'a quote (") inside a value that does not start with one: put the whole value in quotes and double the quotes inside it ("")',
      );
    } else {
      // Plain text up to the next comma, quote or line break, in one slice.
      let end = i + 1;
      while (end < n && !',"\r\n'.includes(text[end]!)) end++;
      field += text.slice(i, end);
      i = end;
    }
  }
  if (field !== '' || fields.length > 0 || (n > 0 && !'\r\n'.includes(text[n - 1]!))) {
    endRecord();
  }
  return { records };
}
