import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { rootRoute } from '../root-route';
import { CatalogPage } from './catalog/catalog.page';
import { parseCatalogSearch } from './catalog/catalog-search';
import { ShopLayout } from './layout';
import { parseOrdersSearch } from './orders/orders-search';
import { parseOrderSearch } from './orders/payment-methods';
import { optionalString } from './search-params';
import { ProductPage } from './product/product.page';
import { parseProductSearch } from './product/variant-choice';

/**
 * The storefront's routes. The catalog and product pages are in the first bundle; the others
 * load on first use. Each path's first segment must be listed in src/web/web.routes.ts
 * (`pageSegments`), so that a reload of a deep link is answered with the app. The paths
 * /verify-email, /reset-password and /orders/<id> are where the emails' links land.
 */
const shopLayout = createRoute({
  getParentRoute: () => rootRoute,
  id: 'shop',
  component: ShopLayout,
});

const redirectSearch = (raw: Record<string, unknown>): { redirect?: string | undefined } => {
  const redirect = optionalString(raw.redirect, 500);
  return redirect ? { redirect } : {};
};
const tokenSearch = (raw: Record<string, unknown>): { token?: string | undefined } => {
  const token = optionalString(raw.token, 1000);
  return token ? { token } : {};
};

const routes = [
  createRoute({
    getParentRoute: () => shopLayout,
    path: '/',
    validateSearch: parseCatalogSearch,
    component: CatalogPage,
  }),
  createRoute({
    getParentRoute: () => shopLayout,
    path: 'products/$productId',
    validateSearch: parseProductSearch,
    component: ProductPage,
  }),
  createRoute({
    getParentRoute: () => shopLayout,
    path: 'cart',
    component: lazyRouteComponent(() => import('./cart/cart.page'), 'CartPage'),
  }),
  createRoute({
    getParentRoute: () => shopLayout,
    path: 'checkout',
    component: lazyRouteComponent(() => import('./checkout/checkout.page'), 'CheckoutPage'),
  }),
  createRoute({
    getParentRoute: () => shopLayout,
    path: 'orders/$orderId',
    validateSearch: parseOrderSearch,
    component: lazyRouteComponent(() => import('./orders/order/order.page'), 'OrderPage'),
  }),
  createRoute({
    getParentRoute: () => shopLayout,
    path: 'orders/$orderId/confirmation',
    component: lazyRouteComponent(() => import('./orders/confirmation.page'), 'ConfirmationPage'),
  }),
  createRoute({
    getParentRoute: () => shopLayout,
    path: 'account',
    component: lazyRouteComponent(() => import('./account/account.page'), 'AccountPage'),
  }),
  createRoute({
    getParentRoute: () => shopLayout,
    validateSearch: parseOrdersSearch,
    path: 'account/orders',
    component: lazyRouteComponent(() => import('./orders/orders.page'), 'OrdersPage'),
  }),
  createRoute({
    getParentRoute: () => shopLayout,
    path: 'account/orders/$orderId',
    component: lazyRouteComponent(() => import('./orders/order/order.page'), 'AccountOrderPage'),
  }),
  createRoute({
    getParentRoute: () => shopLayout,
    validateSearch: redirectSearch,
    path: 'login',
    component: lazyRouteComponent(() => import('./account/auth-forms'), 'LoginPage'),
  }),
  createRoute({
    getParentRoute: () => shopLayout,
    validateSearch: redirectSearch,
    path: 'register',
    component: lazyRouteComponent(() => import('./account/auth-forms'), 'RegisterPage'),
  }),
  createRoute({
    getParentRoute: () => shopLayout,
    validateSearch: tokenSearch,
    path: 'verify-email',
    component: lazyRouteComponent(() => import('./account/token-pages'), 'VerifyEmailPage'),
  }),
  createRoute({
    getParentRoute: () => shopLayout,
    path: 'forgot-password',
    component: lazyRouteComponent(() => import('./account/token-pages'), 'ForgotPasswordPage'),
  }),
  createRoute({
    getParentRoute: () => shopLayout,
    validateSearch: tokenSearch,
    path: 'reset-password',
    component: lazyRouteComponent(() => import('./account/token-pages'), 'ResetPasswordPage'),
  }),
] as const;

export const shopRouteTree = shopLayout.addChildren(routes);
