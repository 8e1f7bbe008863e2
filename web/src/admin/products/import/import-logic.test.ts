import { describe, expect, it } from 'vitest';
import {
  changedCount,
  importButtonLabel,
  importSummary,
  problemsSummary,
  sameFile,
} from './import-logic';

describe('import page words', () => {
  it('counts the products an import writes: created and updated, not unchanged', () => {
    expect(changedCount({ created: 2, updated: 3, unchanged: 40 })).toBe(5);
    expect(importButtonLabel({ created: 2, updated: 3, unchanged: 40 })).toBe('Import 5 products');
    expect(importButtonLabel({ created: 0, updated: 1, unchanged: 0 })).toBe('Import 1 product');
  });

  it('summarises a checked file in one line', () => {
    expect(importSummary({ created: 1, updated: 0, unchanged: 12 })).toBe(
      '1 new product, 0 updated, 12 unchanged',
    );
    expect(importSummary({ created: 3, updated: 2, unchanged: 0 })).toBe(
      '3 new products, 2 updated, 0 unchanged',
    );
  });

  it('says when only the first problems are listed', () => {
    expect(problemsSummary(1, 1)).toBe(
      'The file has 1 problem. Nothing was imported: fix it and check the file again.',
    );
    expect(problemsSummary(1500, 1000)).toBe(
      'The file has 1500 problems (the first 1000 are listed). Nothing was imported: fix them and check the file again.',
    );
  });

  it('tells a file picked again from another file', () => {
    const file = new File(['a'], 'a.csv', { lastModified: 1 });
    expect(sameFile(file, new File(['a'], 'a.csv', { lastModified: 1 }))).toBe(true);
    expect(sameFile(file, new File(['ab'], 'a.csv', { lastModified: 1 }))).toBe(false);
    expect(sameFile(file, undefined)).toBe(false);
  });
});
