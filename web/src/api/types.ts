import type { components, paths } from './schema.gen';

/** Domain types, named once from the generated OpenAPI types. */
type Schemas = components['schemas'];
export type User = Schemas['User'];
export type Product = Schemas['Product'];
export type Quote = Schemas['Quote'];
export type QuoteLine = Quote['lines'][number];
export type Order = Schemas['Order'];
export type OrderLine = Order['lines'][number];
export type OrderStatus = Order['status'];
export type PaymentStatus = Order['paymentStatus'];
export type HistoryEntry = Order['history'][number];
export type Payment = Schemas['Payment'];
export type Address = Schemas['Address'];

export type ProductQuery = NonNullable<paths['/api/v1/products']['get']['parameters']['query']>;
export type ProductSort = NonNullable<ProductQuery['sort']>;
export type PlaceOrderRequest =
  paths['/api/v1/orders']['post']['requestBody']['content']['application/json'];
export type ShippingAddress = NonNullable<PlaceOrderRequest['shippingAddress']>;
