// Every table, for drizzle-kit and for the typed db handle. Tables live with their module.
export * from '../modules/auth/user.table.js';
export * from '../modules/addresses/address.table.js';
export * from '../modules/catalog/product.table.js';
export * from '../modules/catalog/product-image.table.js';
export * from '../modules/catalog/category.table.js';
export * from '../modules/orders/order.table.js';
export * from '../shared/idempotency.table.js';
export * from '../modules/notifications/email.table.js';
export * from '../modules/promotions/promo-code.table.js';
export * from '../modules/payments/payment.table.js';
export * from '../gateway/gateway.table.js';
