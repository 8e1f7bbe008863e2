/**
 * The category tree's pure rules: slugs made from names, the tree built from its rows, and the
 * cycle a move would make. No database here; unit-tested in
 * test/category-tree.test.ts.
 */

export interface CategoryNodeRow {
  id: string;
  parentId: string | null;
  position: number;
}

export type TreeNode<T> = T & { children: TreeNode<T>[] };

/** The longest slug Ordo makes or accepts. */
export const MAX_SLUG_LENGTH = 100;

/** What a slug looks like: lowercase ASCII letters and digits in dash-separated words. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * A slug made from a name: accents dropped (`Café` → `cafe`), anything but letters and digits
 * turned into one dash, lowercase. A name with no ASCII letter or digit at all gives `category`.
 */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'category' : slug;
}

/**
 * The first of `base`, `base-2`, `base-3`, ... that is not in `taken`: two categories named
 * alike (an Accessories under Men and another under Women) each get a slug of their own.
 */
export function freeSlug(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${base.slice(0, MAX_SLUG_LENGTH - suffix.length).replace(/-+$/, '')}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

const bySiblingOrder = (a: CategoryNodeRow, b: CategoryNodeRow) =>
  a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The rows as a forest: top-level categories first, each with its children, in sibling order. */
export function buildTree<T extends CategoryNodeRow>(rows: readonly T[]): TreeNode<T>[] {
  const nodes = new Map<string, TreeNode<T>>(rows.map((row) => [row.id, { ...row, children: [] }]));
  const roots: TreeNode<T>[] = [];
  for (const row of [...rows].sort(bySiblingOrder)) {
    const node = nodes.get(row.id)!;
    const parent = row.parentId === null ? undefined : nodes.get(row.parentId);
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

/**
 * Whether putting category `id` under `parentId` would make a cycle: the new parent is the
 * category itself or one of its descendants.
 */
export function wouldCycle(
  rows: readonly CategoryNodeRow[],
  id: string,
  parentId: string | null,
): boolean {
  if (parentId === null) return false;
  const parentOf = new Map(rows.map((row) => [row.id, row.parentId]));
  const seen = new Set<string>();
  for (let at: string | null = parentId; at !== null; at = parentOf.get(at) ?? null) {
    if (at === id) return true;
    if (seen.has(at)) return true; // a cycle already there: refuse rather than loop
    seen.add(at);
  }
  return false;
}
