import type { AdminCategoryNode } from '../../api/hooks/categories';

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Why a category cannot be deleted yet (the server answers CATEGORY_NOT_EMPTY for the same
 * reasons), or undefined when it can.
 */
export function deleteRefusal(
  node: Pick<AdminCategoryNode, 'children' | 'productCount'>,
): string | undefined {
  const parts = [
    node.children.length > 0 ? count(node.children.length, 'subcategory', 'subcategories') : '',
    node.productCount > 0 ? count(node.productCount, 'product', 'products') : '',
  ].filter(Boolean);
  if (parts.length === 0) return undefined;
  return `It still has ${parts.join(' and ')}. Move or delete its subcategories and take its products out of it first.`;
}
