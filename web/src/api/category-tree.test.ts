import { describe, expect, it } from 'vitest';
import { flattenTree, indentedName, moveTargets, pathTo } from './category-tree';

interface Node {
  id: string;
  slug: string;
  name: string;
  children: Node[];
}
const node = (id: string, children: Node[] = []): Node => ({ id, slug: id, name: id, children });

// kitchen > (cookware > pans, knives); garden
const tree = [node('kitchen', [node('cookware', [node('pans')]), node('knives')]), node('garden')];

describe('flattenTree', () => {
  it('lists parents before their children, with depths', () => {
    expect(flattenTree(tree).map((f) => [f.node.id, f.depth])).toEqual([
      ['kitchen', 0],
      ['cookware', 1],
      ['pans', 2],
      ['knives', 1],
      ['garden', 0],
    ]);
  });
});

describe('pathTo', () => {
  it('answers the categories from the top down to the one with the slug', () => {
    expect(pathTo(tree, 'pans').map((n) => n.id)).toEqual(['kitchen', 'cookware', 'pans']);
    expect(pathTo(tree, 'garden').map((n) => n.id)).toEqual(['garden']);
    expect(pathTo(tree, 'nowhere')).toEqual([]);
  });
});

describe('moveTargets', () => {
  it('leaves out the category itself and its descendants', () => {
    expect(moveTargets(tree, 'kitchen').map((f) => f.node.id)).toEqual(['garden']);
    expect(moveTargets(tree, 'cookware').map((f) => f.node.id)).toEqual([
      'kitchen',
      'knives',
      'garden',
    ]);
    expect(moveTargets(tree, 'pans').map((f) => f.node.id)).toEqual([
      'kitchen',
      'cookware',
      'knives',
      'garden',
    ]);
  });
});

describe('indentedName', () => {
  it('indents a subcategory by its depth and leaves a top-level name alone', () => {
    expect(indentedName('Kitchen', 0)).toBe('Kitchen');
    expect(indentedName('Pans', 2)).toBe('\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0└ Pans');
  });
});
