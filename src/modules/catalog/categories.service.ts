import type { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { Executor, Tx } from '../../db/client.js';
import { inTransaction } from '../../db/commit-events.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/errors.js';
import { AppError, notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type {
  adminCategoryNodeSchema,
  adminCategorySchema,
  categoryBody,
  categoryNodeSchema,
  categoryPatchBody,
} from './categories.schemas.js';
import { catalogChanged, readVersioned, type CatalogRead } from './catalog-cache.js';
import { buildTree, freeSlug, slugify, wouldCycle, type TreeNode } from './category-tree.js';
import * as repo from './category.repository.js';
import type { CategoryRow } from './category.repository.js';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'redis' | 'logger'>;

/** API types, from the response schemas. */
export type CategoryNode = z.output<typeof categoryNodeSchema>;
export type AdminCategory = z.output<typeof adminCategorySchema>;
export type AdminCategoryNode = z.output<typeof adminCategoryNodeSchema>;
export type CategoryInput = z.output<typeof categoryBody>;
export type CategoryChanges = z.output<typeof categoryPatchBody>;
export type { CategoryRef } from './category.repository.js';

const toAdminCategory = (row: CategoryRow): AdminCategory => ({
  id: row.id,
  slug: row.slug,
  name: row.name,
  parentId: row.parentId,
  position: row.position,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const toNode = (node: TreeNode<CategoryRow>): CategoryNode => ({
  id: node.id,
  slug: node.slug,
  name: node.name,
  parentId: node.parentId,
  children: node.children.map(toNode),
});

/** The public tree, from the catalog cache: every category change retires it (catalogChanged). */
export async function readCategoryTree(ctx: Ctx): Promise<CatalogRead> {
  return readVersioned(ctx, 'categories', async (): Promise<CategoryNode[]> =>
    buildTree(await repo.listCategories(ctx.db)).map(toNode),
  );
}

/** The tree as the back office shows it: with positions, times and each category's product count. */
export async function adminCategoryTree(ctx: Ctx): Promise<AdminCategoryNode[]> {
  const [rows, counts] = await Promise.all([
    repo.listCategories(ctx.db),
    repo.countProducts(ctx.db),
  ]);
  const toAdminNode = (node: TreeNode<CategoryRow>): AdminCategoryNode => ({
    ...toAdminCategory(node),
    productCount: counts.get(node.id) ?? 0,
    children: node.children.map(toAdminNode),
  });
  return buildTree(rows).map(toAdminNode);
}

export async function adminGetCategory(ctx: Ctx, id: string): Promise<AdminCategory> {
  const row = await repo.findCategory(ctx.db, id);
  if (!row) throw notFound('Category');
  return toAdminCategory(row);
}

const unknownCategories = (ids: readonly string[]) =>
  new AppError('CATEGORY_UNKNOWN', `No category with id ${ids.join(', ')}`, {
    details: ids.map((id) => ({ categoryId: id })),
  });

const slugTaken = (slug: string) =>
  new AppError('SLUG_TAKEN', `Another category already uses the slug ${slug}`);

/** Runs a change to the tree under its lock, maps the database's refusals, and retires the cache. */
async function changeTree<T>(ctx: Ctx, slug: string | undefined, work: (tx: Tx) => Promise<T>) {
  try {
    const result = await inTransaction(ctx.db, async (tx) => {
      await repo.lockTree(tx);
      return work(tx);
    });
    await catalogChanged(ctx);
    return result;
  } catch (error) {
    if (isUniqueViolation(error, 'categories_slug_key')) throw slugTaken(slug ?? '');
    throw error;
  }
}

async function requireParent(tx: Tx, parentId: string | null): Promise<void> {
  if (parentId !== null && !(await repo.findCategory(tx, parentId))) {
    throw unknownCategories([parentId]);
  }
}

/**
 * Creates a category, after its parent's last child unless a position is given. Without a slug,
 * one is made from the name, with a number added when that is taken (`accessories-2`).
 */
export async function createCategory(ctx: Ctx, input: CategoryInput): Promise<AdminCategory> {
  const now = ctx.clock.now();
  const parentId = input.parentId ?? null;
  const row = await changeTree(ctx, input.slug, async (tx) => {
    await requireParent(tx, parentId);
    let slug = input.slug;
    if (slug === undefined) {
      const base = slugify(input.name);
      slug = freeSlug(base, await repo.slugsLike(tx, base));
    }
    return repo.insertCategory(tx, {
      id: newId('cat', now.getTime()),
      name: input.name,
      slug,
      parentId,
      position: input.position ?? (await repo.nextPosition(tx, parentId)),
      createdAt: now,
      updatedAt: now,
    });
  });
  return toAdminCategory(row);
}

/**
 * Renames, re-slugs or moves a category. A rename keeps the slug (links to the category keep
 * working); only a `slug` in the request changes it. A move goes after the new parent's last
 * child unless a position is given, and is refused with CATEGORY_CYCLE under the category
 * itself or one of its descendants.
 */
export async function updateCategory(
  ctx: Ctx,
  id: string,
  changes: CategoryChanges,
): Promise<AdminCategory> {
  const now = ctx.clock.now();
  const row = await changeTree(ctx, changes.slug, async (tx) => {
    const rows = await repo.listCategories(tx);
    const current = rows.find((row) => row.id === id);
    if (!current) throw notFound('Category');
    const moving = changes.parentId !== undefined && changes.parentId !== current.parentId;
    let position = changes.position;
    if (moving) {
      const parentId = changes.parentId ?? null;
      if (parentId !== null && !rows.some((row) => row.id === parentId)) {
        throw unknownCategories([parentId]);
      }
      if (wouldCycle(rows, id, parentId)) {
        throw new AppError(
          'CATEGORY_CYCLE',
          'A category cannot be moved under itself or one of its own subcategories',
        );
      }
      position ??= await repo.nextPosition(tx, parentId);
    }
    return repo.updateCategory(tx, id, {
      ...(changes.name === undefined ? {} : { name: changes.name }),
      ...(changes.slug === undefined ? {} : { slug: changes.slug }),
      ...(moving ? { parentId: changes.parentId ?? null } : {}),
      ...(position === undefined ? {} : { position }),
      updatedAt: now,
    });
  });
  return toAdminCategory(row!);
}

const notEmpty = (what: string) =>
  new AppError(
    'CATEGORY_NOT_EMPTY',
    `The category still has ${what}; it can be deleted once empty`,
  );

/**
 * Deletes a category that has no subcategories and no products (archived products do not
 * count: they leave it with it). The foreign keys back the checks up against a product put in
 * it at the same moment.
 */
export async function deleteCategory(ctx: Ctx, id: string): Promise<void> {
  try {
    await changeTree(ctx, undefined, async (tx) => {
      if (!(await repo.findCategory(tx, id))) throw notFound('Category');
      if ((await repo.countChildren(tx, id)) > 0) throw notEmpty('subcategories');
      if ((await repo.countProductsIn(tx, id)) > 0) throw notEmpty('products');
      await repo.deleteCategory(tx, id);
    });
  } catch (error) {
    if (isForeignKeyViolation(error)) throw notEmpty('products');
    throw error;
  }
}

// --- a product's categories (called by the catalog service, inside its transaction) ---

/** Refuses ids that name no category, with CATEGORY_UNKNOWN listing them; answers them deduplicated. */
export async function requireCategories(db: Executor, ids: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(ids)];
  const found = await repo.existingIds(db, wanted);
  const unknown = wanted.filter((id) => !found.has(id));
  if (unknown.length > 0) throw unknownCategories(unknown);
  return wanted;
}

/**
 * Puts a product in exactly these categories. A category deleted between the check and the
 * write makes the foreign key refuse it: that is CATEGORY_UNKNOWN too.
 */
export async function setProductCategories(
  tx: Tx,
  productId: string,
  ids: readonly string[],
): Promise<void> {
  const wanted = await requireCategories(tx, ids);
  try {
    await repo.setProductCategories(tx, productId, wanted);
  } catch (error) {
    if (isForeignKeyViolation(error, 'product_categories_category_id_categories_id_fk')) {
      throw unknownCategories(wanted);
    }
    throw error;
  }
}

export const categoriesByProduct = repo.categoriesByProduct;
