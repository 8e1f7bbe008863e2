import { AppError } from '../../shared/errors.js';
import { parseCsv, unguardField } from '../../shared/csv.js';

/**
 * The catalog's CSV format, shared by the export and the import: one row per variant, the
 * product's fields repeated on each of its rows. Reading a file into rows of cells is here;
 * what the cells mean against the catalog is import-plan.ts's.
 */

export const PRODUCT_CSV_COLUMNS = [
  'product_sku',
  'name',
  'description',
  'active',
  'categories',
  'option1_name',
  'option1_value',
  'option2_name',
  'option2_value',
  'option3_name',
  'option3_value',
  'sku',
  'price',
  'stock',
  'variant_active',
] as const;

export type ProductCsvColumn = (typeof PRODUCT_CSV_COLUMNS)[number];

/** The columns every file must have: which product a row belongs to, and which variant it is. */
const REQUIRED_COLUMNS: readonly ProductCsvColumn[] = ['product_sku', 'sku'];

/** The product's columns: given on its first row, repeated or left empty on its later rows. */
export const PRODUCT_COLUMNS = [
  'name',
  'description',
  'active',
  'categories',
  'option1_name',
  'option2_name',
  'option3_name',
] as const satisfies readonly ProductCsvColumn[];

export const OPTION_NAME_COLUMNS = ['option1_name', 'option2_name', 'option3_name'] as const;
export const OPTION_VALUE_COLUMNS = ['option1_value', 'option2_value', 'option3_value'] as const;

/** Categories in a cell: slugs separated by `; ` (the export), or by commas, bars or spaces. */
export const CATEGORY_SEPARATOR = '; ';

/** The most a file may weigh: a 20,000-row catalog with long descriptions fits. */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
/** The most rows (variants) a file may have, besides its header. */
export const MAX_IMPORT_ROWS = 20_000;

/** What the OpenAPI entries and the docs say of the format. */
export const PRODUCT_CSV_FORMAT = `UTF-8 CSV (RFC 4180: comma-separated, values with a comma, quote or line break in double quotes with quotes doubled; CRLF line ends, LF accepted), a header row naming the columns, then one row per variant. Columns: ${PRODUCT_CSV_COLUMNS.join(', ')}. \`product_sku\` names the product (its own SKU; for a product without options, the same as \`sku\`), \`sku\` the variant: rows are matched to the catalog by them, letter case aside. The product's columns (\`name\`, \`description\`, \`active\`, \`categories\`, \`optionN_name\`) are read from its first row and may be repeated or left empty on its later rows. \`categories\` lists category slugs separated by \`; \`. \`price\` is a decimal in major units of the shop currency in its own precision (\`12.50\` USD, \`1500\` JPY). \`active\` and \`variant_active\` are \`true\` or \`false\`. A text cell that starts with = + - @, a tab or a carriage return gets a leading apostrophe so that spreadsheets do not run it as a formula; the import takes it off.`;

/** A data row of an import file: its row number (the header is row 1) and its cells. */
export interface CsvRow {
  row: number;
  /** By column; a column the file lacks is absent. Every cell but `description` trimmed. */
  cells: Partial<Record<ProductCsvColumn, string>>;
}

export interface RowError {
  row: number;
  message: string;
}

const WORKBOOK = Buffer.from('PK\u0003\u0004', 'latin1');

/**
 * An import file's text: UTF-8 (a byte-order mark is dropped), with no NUL character. Anything
 * else is not a CSV file: 415 UNSUPPORTED_MEDIA_TYPE, with a hint for a spreadsheet workbook.
 */
function fileText(bytes: Buffer): string {
  if (bytes.subarray(0, 4).equals(WORKBOOK)) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'This looks like a spreadsheet workbook (.xlsx or .ods), not a CSV file: save it as "CSV UTF-8" and import that',
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'The file is not UTF-8 text: save it as "CSV UTF-8" and import that',
    );
  }
  if (text.includes('\u0000')) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'The file is not a text file (it holds NUL bytes)',
    );
  }
  return text;
}

/**
 * Reads an import file into rows of cells by column, or the errors that stop it being read:
 * a malformed CSV, an unknown, repeated or missing column in the header, a row with another
 * number of values than the header, too many rows. Rows whose cells are all empty are skipped
 * (spreadsheets leave them). A cell that the export guarded with an apostrophe is read back
 * without it.
 */
export function readProductCsv(bytes: Buffer): { rows: CsvRow[]; errors: RowError[] } {
  const { records, error } = parseCsv(fileText(bytes));
  if (error) return { rows: [], errors: [error] };
  const [header, ...data] = records;
  if (!header) {
    return {
      rows: [],
      errors: [{ row: 1, message: `the file is empty: its first row must name the columns` }],
    };
  }
  const errors: RowError[] = [];
  const names = header.fields.map((name) => name.trim().toLowerCase());
  const known = new Set<string>(PRODUCT_CSV_COLUMNS);
  names.forEach((name, i) => {
    if (!known.has(name)) {
      errors.push({
        row: 1,
        message:
          name === ''
            ? `column ${i + 1} has no name`
            : `unknown column "${name}" (the columns are ${PRODUCT_CSV_COLUMNS.join(', ')})`,
      });
    } else if (names.indexOf(name) !== i) {
      errors.push({ row: 1, message: `column "${name}" is there twice` });
    }
  });
  for (const column of REQUIRED_COLUMNS) {
    if (!names.includes(column)) {
      errors.push({ row: 1, message: `the column "${column}" is missing` });
    }
  }
  if (errors.length > 0) return { rows: [], errors };
  const filled = data.filter((record) => record.fields.some((field) => field.trim() !== ''));
  if (filled.length > MAX_IMPORT_ROWS) {
    return {
      rows: [],
      errors: [
        {
          row: filled[MAX_IMPORT_ROWS]!.row,
          message: `the file has ${filled.length} rows; import at most ${MAX_IMPORT_ROWS} at a time (split the file by product)`,
        },
      ],
    };
  }
  const rows: CsvRow[] = [];
  for (const record of filled) {
    if (record.fields.length !== names.length) {
      errors.push({
        row: record.row,
        message: `${record.fields.length} values where the header names ${names.length} columns (a value with a comma needs quotes)`,
      });
      continue;
    }
    const cells: CsvRow['cells'] = {};
    names.forEach((name, i) => {
      const text = unguardField(record.fields[i]!);
      cells[name as ProductCsvColumn] = name === 'description' ? text : text.trim();
    });
    rows.push({ row: record.row, cells });
  }
  return { rows, errors };
}
