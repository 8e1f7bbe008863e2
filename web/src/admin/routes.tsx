import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { rootRoute } from '../root-route';

/**
 * The back office's routes, under /admin. Only these definitions are in the storefront's
 * bundle; every component is loaded with lazyRouteComponent, so the back office's code (tables,
 * charts) downloads when a person first opens /admin. Add a feature as
 * `admin/<feature>/<name>.page.tsx` and a route here whose parent is `adminLayout`.
 */
const adminLayout = createRoute({
  getParentRoute: () => rootRoute,
  path: 'admin',
  component: lazyRouteComponent(() => import('./admin-shell'), 'AdminShell'),
});

const dashboardRoute = createRoute({
  getParentRoute: () => adminLayout,
  path: '/',
  component: lazyRouteComponent(() => import('./dashboard/dashboard.page'), 'DashboardPage'),
});

export const adminRouteTree = adminLayout.addChildren([dashboardRoute]);
