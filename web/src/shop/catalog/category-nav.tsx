import { Link } from '@tanstack/react-router';
import { $api } from '../../api/client';
import type { CategoryNode } from '../../api/hooks/categories';
import { cn } from '../../ui';

const link =
  'inline-block rounded px-1 py-0.5 text-sm text-slate-700 hover:text-indigo-700 hover:underline aria-[current=page]:font-semibold aria-[current=page]:text-indigo-700';

/**
 * The router marks a link current (aria-current) only when its whole search is the page's:
 * by default any link whose search is part of the page's is, and "All products" (the other
 * filters without a category) always was. Which one is current is said here, by category.
 */
const EXACT = { exact: true };

/**
 * The shop's categories: every top-level category, and under the one being browsed its
 * subcategories, down to the current one. A link keeps the other filters (search, prices,
 * stock, sort) and goes back to the first page. Nothing is shown while the shop has no categories.
 */
export function CategoryNav({
  current,
  path,
}: {
  current?: string | undefined;
  path: CategoryNode[];
}) {
  const tree = $api.useQuery('get', '/api/v1/categories');
  if (!tree.data || tree.data.length === 0) return null;
  const open = new Set(path.map((node) => node.id));
  return (
    <nav
      aria-label="Categories"
      className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
    >
      <h2 className="mb-2 text-sm font-medium text-slate-900">Categories</h2>
      <ul className="flex flex-wrap gap-x-3 gap-y-1 lg:block lg:space-y-1">
        <li>
          <Link
            to="/"
            search={(prev) => ({ ...prev, category: undefined, page: undefined })}
            aria-current={current ? undefined : 'page'}
            activeOptions={EXACT}
            className={link}
          >
            All products
          </Link>
        </li>
        {tree.data.map((node) => (
          <CategoryItem key={node.id} node={node} current={current} open={open} />
        ))}
      </ul>
    </nav>
  );
}

function CategoryItem({
  node,
  current,
  open,
}: {
  node: CategoryNode;
  current: string | undefined;
  open: ReadonlySet<string>;
}) {
  const expanded = open.has(node.id) && node.children.length > 0;
  return (
    <li className={cn(expanded && 'basis-full')}>
      <Link
        to="/"
        search={(prev) => ({ ...prev, category: node.slug, page: undefined })}
        aria-current={node.slug === current ? 'page' : undefined}
        activeOptions={EXACT}
        className={link}
      >
        {node.name}
      </Link>
      {expanded && (
        <ul
          aria-label={`In ${node.name}`}
          className="ml-3 mt-1 flex flex-wrap gap-x-3 gap-y-1 border-l border-slate-200 pl-2 lg:block lg:space-y-1"
        >
          {node.children.map((child) => (
            <CategoryItem key={child.id} node={child} current={current} open={open} />
          ))}
        </ul>
      )}
    </li>
  );
}
