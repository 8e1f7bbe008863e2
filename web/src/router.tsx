import { createRouter } from '@tanstack/react-router';
import { queryClient } from './api/client';
import { adminRouteTree } from './admin/routes';
import { rootRoute } from './root-route';
import { shopRouteTree } from './shop/routes';
import { Loading } from './ui';

const routeTree = rootRoute.addChildren([shopRouteTree, adminRouteTree]);

export const router = createRouter({
  routeTree,
  context: { queryClient },
  defaultPreload: 'intent',
  defaultPendingComponent: () => <Loading />,
  scrollRestoration: true,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
