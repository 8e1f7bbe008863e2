import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, csvRow, parseCsv, unguardField } from '../src/shared/csv.js';
import { parseDecimalAmount } from '../src/shared/money.js';

describe('CSV reading', () => {
  it('reads back exactly what the writer wrote, whatever the text', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.stringMatching(/^['=+\-@\t\r\n",; a]{0,8}$/),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(text, { minLength: 1, maxLength: 6 }), { maxLength: 6 }),
        (rows) => {
          const { records, error } = parseCsv(rows.map(csvRow).join(''));
          expect(error).toBeUndefined();
          expect(records.map((r) => r.fields.map(unguardField))).toEqual(rows);
          expect(records.map((r) => r.row)).toEqual(rows.map((_, i) => i + 1));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('takes off only the apostrophe the writer added', () => {
    expect(csvField("'=x")).toBe("''=x");
    expect(unguardField("''=x")).toBe("'=x");
    expect(unguardField("'plain")).toBe("'plain");
    expect(unguardField("'-5")).toBe('-5');
  });

  it('reads LF and CR line ends, a last line without one, and quoted line breaks', () => {
    expect(parseCsv('a,b\nc,"d\ne"\rf,').records.map((r) => r.fields)).toEqual([
      ['a', 'b'],
      ['c', 'd\ne'],
      ['f', ''],
    ]);
    expect(parseCsv('').records).toEqual([]);
    expect(parseCsv('\r\n').records.map((r) => r.fields)).toEqual([['']]);
  });

  it('names the row of a quote out of place or never closed', () => {
    expect(parseCsv('a\r\nb"c\r\n').error).toEqual({
      row: 2,
      message: expect.stringMatching(/^a quote/),
    });
    expect(parseCsv('a\r\n"b"c\r\n').error).toEqual({
      row: 2,
      message: expect.stringMatching(/^text after the closing quote/),
    });
    expect(parseCsv('a\r\nb\r\n"c,\r\nd').error).toEqual({
      row: 3,
      message: expect.stringMatching(/not closed/),
    });
  });
});

describe('amounts as people write them', () => {
  it.each([
    ['12.50', 'USD', 1250],
    ['12.5', 'USD', 1250],
    ['12', 'USD', 1200],
    [' 0.07 ', 'USD', 7],
    ['1500', 'JPY', 1500],
    ['1.234', 'KWD', 1234],
    ['0', 'EUR', 0],
  ])('reads %j %s as %i minor units', (text, currency, minor) => {
    expect(parseDecimalAmount(text, currency)).toEqual({ minor });
  });

  it.each([
    ['12.505', 'USD', /more than 2 decimals/],
    ['12.5', 'JPY', /has decimals, but JPY has none/],
    ['1,250.00', 'USD', /not an amount/],
    ['12,50', 'EUR', /not an amount/],
    ['$12', 'USD', /not an amount/],
    ['-1', 'USD', /not an amount/],
    ['', 'USD', /not an amount/],
    ['1e3', 'USD', /not an amount/],
    ['99999999999999999999', 'USD', /too large/],
  ])('refuses %j %s', (text, currency, message) => {
    const result = parseDecimalAmount(text, currency);
    expect('error' in result && result.error).toMatch(message);
  });
});
