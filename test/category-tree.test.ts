import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildTree,
  freeSlug,
  SLUG_PATTERN,
  slugify,
  wouldCycle,
  type CategoryNodeRow,
} from '../src/modules/catalog/category-tree.js';

const row = (id: string, parentId: string | null, position = 0): CategoryNodeRow => ({
  id,
  parentId,
  position,
});

// kitchen > (cookware > pans, knives); garden
const rows = [
  row('garden', null, 1),
  row('kitchen', null, 0),
  row('knives', 'kitchen', 1),
  row('cookware', 'kitchen', 0),
  row('pans', 'cookware', 0),
];

describe('slugify', () => {
  it('makes lowercase dash-joined words from a name, accents dropped', () => {
    expect(slugify('Café & Tea  Cups')).toBe('cafe-tea-cups');
    expect(slugify('  --Déjà Vu!-- ')).toBe('deja-vu');
    expect(slugify('A4 Notebooks (dotted)')).toBe('a4-notebooks-dotted');
  });

  it('answers `category` for a name with no ASCII letter or digit', () => {
    expect(slugify('日本茶')).toBe('category');
    expect(slugify('!!!')).toBe('category');
  });

  it('always answers a slug the API accepts, at most 100 characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (name) => {
        const slug = slugify(name);
        expect(slug).toMatch(SLUG_PATTERN);
        expect(slug.length).toBeLessThanOrEqual(100);
      }),
    );
  });
});

describe('freeSlug', () => {
  it('keeps a free slug and numbers a taken one from 2', () => {
    expect(freeSlug('mugs', new Set())).toBe('mugs');
    expect(freeSlug('mugs', new Set(['mugs']))).toBe('mugs-2');
    expect(freeSlug('mugs', new Set(['mugs', 'mugs-2', 'mugs-3']))).toBe('mugs-4');
  });

  it('stays within 100 characters when it numbers a long slug', () => {
    const long = 'a'.repeat(100);
    const slug = freeSlug(long, new Set([long]));
    expect(slug).toHaveLength(100);
    expect(slug.endsWith('-2')).toBe(true);
    expect(slug).toMatch(SLUG_PATTERN);
  });
});

describe('buildTree', () => {
  it('nests children under their parents in position order, top level first', () => {
    const tree = buildTree(rows);
    const shape = (nodes: ReturnType<typeof buildTree<CategoryNodeRow>>): unknown =>
      nodes.map((n) => [n.id, shape(n.children)]);
    expect(shape(tree)).toEqual([
      [
        'kitchen',
        [
          ['cookware', [['pans', []]]],
          ['knives', []],
        ],
      ],
      ['garden', []],
    ]);
  });

  it('orders siblings of one position by id (creation order)', () => {
    const tree = buildTree([row('b', null), row('a', null), row('c', null)]);
    expect(tree.map((n) => n.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('wouldCycle', () => {
  it('refuses a move under the category itself or any descendant', () => {
    expect(wouldCycle(rows, 'kitchen', 'kitchen')).toBe(true);
    expect(wouldCycle(rows, 'kitchen', 'cookware')).toBe(true);
    expect(wouldCycle(rows, 'kitchen', 'pans')).toBe(true);
    expect(wouldCycle(rows, 'cookware', 'pans')).toBe(true);
  });

  it('allows a move to the top level, to a sibling or to another branch', () => {
    expect(wouldCycle(rows, 'pans', null)).toBe(false);
    expect(wouldCycle(rows, 'knives', 'cookware')).toBe(false);
    expect(wouldCycle(rows, 'cookware', 'garden')).toBe(false);
    expect(wouldCycle(rows, 'garden', 'pans')).toBe(false);
  });
});
