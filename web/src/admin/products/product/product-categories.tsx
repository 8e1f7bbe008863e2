import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { $api } from '../../../api/client';
import { flattenTree } from '../../../api/category-tree';
import { useUpdateProduct, type AdminProduct } from '../../../api/hooks/products';
import { Alert, Button, Loading, ProblemAlert } from '../../../ui';

/** The categories a product is in: one checkbox per category, indented as the tree is. */
export function ProductCategories({ product }: { product: AdminProduct }) {
  const tree = $api.useQuery('get', '/api/v1/admin/categories');
  const update = useUpdateProduct();
  const saved = product.categories.map((c) => c.id);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set(saved));
  const dirty = chosen.size !== saved.length || saved.some((id) => !chosen.has(id));

  if (tree.isPending) return <Loading label="Loading categories…" />;
  if (tree.isError)
    return <ProblemAlert error={tree.error} title="The categories could not be loaded" />;
  if (tree.data.length === 0) {
    return (
      <p className="text-sm text-slate-600">
        No categories yet.{' '}
        <Link to="/admin/categories" className="text-indigo-700 underline">
          Create categories
        </Link>{' '}
        to group products in the shop.
      </p>
    );
  }
  const toggle = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    setChosen(next);
  };
  return (
    <form
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        update.mutate({ id: product.id, changes: { categoryIds: [...chosen] } });
      }}
    >
      <fieldset>
        <legend className="sr-only">Categories of {product.name}</legend>
        <ul className="max-h-72 space-y-1 overflow-y-auto">
          {flattenTree(tree.data).map(({ node, depth }) => (
            <li key={node.id} style={{ paddingLeft: `${depth * 1.25}rem` }}>
              <label className="flex items-center gap-2 text-sm text-slate-800">
                <input
                  type="checkbox"
                  className="h-4 w-4 accent-indigo-600"
                  checked={chosen.has(node.id)}
                  onChange={(e) => toggle(node.id, e.target.checked)}
                />
                {node.name}
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      {update.isError && (
        <ProblemAlert error={update.error} title="The categories were not saved" />
      )}
      {update.isSuccess && !dirty && <Alert tone="success">Categories saved.</Alert>}
      <Button type="submit" busy={update.isPending} disabled={!dirty || update.isPending}>
        Save categories
      </Button>
    </form>
  );
}
