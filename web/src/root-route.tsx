import type { QueryClient } from '@tanstack/react-query';
import { createRootRouteWithContext, Link, Outlet } from '@tanstack/react-router';
import { buttonClass, EmptyState, ProblemAlert } from './ui';

export interface RouterContext {
  queryClient: QueryClient;
}

/** The root of both route trees: the storefront (shop/routes.tsx) and the back office (admin/routes.tsx). */
export const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: NotFound,
  errorComponent: ({ error }) => (
    <main className="mx-auto max-w-3xl p-6">
      <ProblemAlert error={error} title="This page could not be shown" />
    </main>
  ),
});

export function NotFound() {
  return (
    <main className="mx-auto max-w-3xl p-6">
      <EmptyState
        title="Page not found"
        action={
          <Link to="/" className={buttonClass('secondary')}>
            Go to the shop
          </Link>
        }
      >
        There is nothing at this address.
      </EmptyState>
    </main>
  );
}
