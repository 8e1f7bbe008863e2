import { describe, expect, it } from 'vitest';
import { deleteRefusal } from './category-logic';

const child = { children: [], productCount: 0 } as never;

describe('deleteRefusal', () => {
  it('allows an empty category', () => {
    expect(deleteRefusal({ children: [], productCount: 0 })).toBeUndefined();
  });

  it('says what is still in the category', () => {
    expect(deleteRefusal({ children: [child], productCount: 0 })).toMatch(
      /^It still has 1 subcategory\./,
    );
    expect(deleteRefusal({ children: [child, child], productCount: 1 })).toMatch(
      /^It still has 2 subcategories and 1 product\./,
    );
    expect(deleteRefusal({ children: [], productCount: 3 })).toMatch(/^It still has 3 products\./);
  });
});
