import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { rootRoute } from '../root-route';
import {
  parseCustomersSearch,
  parseEmailsSearch,
  parseJobsSearch,
  parsePageSearch,
  parsePromoCodesSearch,
} from './list-search';
import { parseOrdersSearch } from './orders/orders-search';
import { parseProductSearch } from './products/product/product-search';
import { parseProductsSearch } from './products/products-search';

/**
 * The back office's routes, under /admin. Only these definitions (and the small search-param
 * readers) are in the storefront's bundle; every component is loaded with lazyRouteComponent,
 * so the back office's code (tables, charts, forms) downloads when a person first opens
 * /admin. Add a feature as `admin/<feature>/<name>.page.tsx` and a route here whose parent is
 * `adminLayout`; list it in admin/nav.ts with the roles the API serves it to.
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
const ordersRoute = createRoute({
  getParentRoute: () => adminLayout,
  path: 'orders',
  validateSearch: parseOrdersSearch,
  component: lazyRouteComponent(() => import('./orders/list/orders.page'), 'OrdersPage'),
});
const orderRoute = createRoute({
  getParentRoute: () => adminLayout,
  path: 'orders/$orderId',
  component: lazyRouteComponent(() => import('./orders/order/order.page'), 'OrderPage'),
});
const productsRoute = createRoute({
  getParentRoute: () => adminLayout,
  path: 'products',
  validateSearch: parseProductsSearch,
  component: lazyRouteComponent(() => import('./products/products.page'), 'ProductsPage'),
});
const newProductRoute = createRoute({
  getParentRoute: () => adminLayout,
  path: 'products/new',
  component: lazyRouteComponent(() => import('./products/product/product.page'), 'NewProductPage'),
});
const importProductsRoute = createRoute({
  getParentRoute: () => adminLayout,
  path: 'products/import',
  component: lazyRouteComponent(
    () => import('./products/import/import.page'),
    'ImportProductsPage',
  ),
});
const productRoute = createRoute({
  getParentRoute: () => adminLayout,
  path: 'products/$productId',
  validateSearch: parseProductSearch,
  component: lazyRouteComponent(() => import('./products/product/product.page'), 'ProductPage'),
});
const categoriesRoute = createRoute({
  getParentRoute: () => adminLayout,
  path: 'categories',
  component: lazyRouteComponent(() => import('./categories/categories.page'), 'CategoriesPage'),
});
const promoCodesRoute = createRoute({
  getParentRoute: () => adminLayout,
  path: 'promo-codes',
  validateSearch: parsePromoCodesSearch,
  component: lazyRouteComponent(() => import('./promo-codes/promo-codes.page'), 'PromoCodesPage'),
});
const newPromoCodeRoute = createRoute({
  getParentRoute: () => adminLayout,
  path: 'promo-codes/new',
  component: lazyRouteComponent(
    () => import('./promo-codes/promo-code/promo-code.page'),
    'NewPromoCodePage',
  ),
});
const promoCodeRoute = createRoute({
  getParentRoute: () => adminLayout,
  path: 'promo-codes/$promoId',
  validateSearch: parsePageSearch,
  component: lazyRouteComponent(
    () => import('./promo-codes/promo-code/promo-code.page'),
    'PromoCodePage',
  ),
});
const customersRoute = createRoute({
  getParentRoute: () => adminLayout,
  path: 'customers',
  validateSearch: parseCustomersSearch,
  component: lazyRouteComponent(() => import('./customers/customers.page'), 'CustomersPage'),
});
const jobsRoute = createRoute({
  getParentRoute: () => adminLayout,
  path: 'jobs',
  validateSearch: parseJobsSearch,
  component: lazyRouteComponent(() => import('./jobs/jobs.page'), 'JobsPage'),
});
const emailsRoute = createRoute({
  getParentRoute: () => adminLayout,
  path: 'emails',
  validateSearch: parseEmailsSearch,
  component: lazyRouteComponent(() => import('./emails/emails.page'), 'EmailsPage'),
});

export const adminRouteTree = adminLayout.addChildren([
  dashboardRoute,
  ordersRoute,
  orderRoute,
  productsRoute,
  newProductRoute,
  importProductsRoute,
  productRoute,
  categoriesRoute,
  promoCodesRoute,
  newPromoCodeRoute,
  promoCodeRoute,
  customersRoute,
  jobsRoute,
  emailsRoute,
]);
