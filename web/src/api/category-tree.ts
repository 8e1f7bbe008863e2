/**
 * The category tree as the API answers it (each node with its `children`), read the ways the
 * pages need: flattened in display order with each node's depth, the path down to a category,
 * and the parents a category may move under. Pure; tested in category-tree.test.ts.
 */

export interface TreeNode<T> {
  id: string;
  slug: string;
  name: string;
  children: T[];
}

export interface Flat<T> {
  node: T;
  depth: number;
}

/** Every node in display order (a parent before its children), with its depth (0 at the top). */
export function flattenTree<T extends TreeNode<T>>(nodes: readonly T[], depth = 0): Flat<T>[] {
  return nodes.flatMap((node) => [{ node, depth }, ...flattenTree(node.children, depth + 1)]);
}

/** The nodes from the top down to the one with this slug (empty when no node has it). */
export function pathTo<T extends TreeNode<T>>(nodes: readonly T[], slug: string): T[] {
  for (const node of nodes) {
    if (node.slug === slug) return [node];
    const below = pathTo(node.children, slug);
    if (below.length > 0) return [node, ...below];
  }
  return [];
}

/** The node with this id and everything below it. */
function subtree<T extends TreeNode<T>>(nodes: readonly T[], id: string): T | undefined {
  for (const node of nodes) {
    if (node.id === id) return node;
    const below = subtree(node.children, id);
    if (below) return below;
  }
  return undefined;
}

/**
 * Where the category with this id may move: every category but itself and its descendants
 * (the server refuses those with CATEGORY_CYCLE), in display order.
 */
export function moveTargets<T extends TreeNode<T>>(nodes: readonly T[], id: string): Flat<T>[] {
  const own = subtree(nodes, id);
  const excluded = new Set(own ? flattenTree([own]).map((f) => f.node.id) : []);
  return flattenTree(nodes).filter((f) => !excluded.has(f.node.id));
}

/** A category's name indented by its depth, for an option in a select (which cannot nest). */
export function indentedName(name: string, depth: number): string {
  return `${'\u00a0\u00a0\u00a0'.repeat(depth)}${depth > 0 ? '└ ' : ''}${name}`;
}
