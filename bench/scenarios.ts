import type { Fixture } from './fixture.js';
import { type LoadOptions, between, pick, sample } from './lib.js';

/**
 * One load scenario. `build` turns the fixture into autocannon options (usually `requests`
 * with a `setupRequest` that varies each request); the runner adds url, connections and
 * duration, runs it at each connection count, and reports every run the same way.
 *
 * To add a scenario (a full quote → order → pay checkout), write one more object
 * and list it in `scenarios`. A multi-step flow is a `requests` array whose `onResponse`
 * keeps what the next step needs (an order id) in autocannon's per-connection `context`.
 */
export interface Scenario {
  name: string;
  description: string;
  /** Connection counts for this scenario; the runner's list when absent. */
  connections?: number[];
  build(fixture: Fixture, hooks: ScenarioHooks): LoadOptions;
}

/** What the runner wants to hear about while a scenario runs. */
export interface ScenarioHooks {
  /**
   * An order was placed: the 201 body of POST /api/v1/orders. The runner then waits for its
   * confirmation email and reports the queue lag.
   */
  orderPlaced(body: string): void;
  /** A full checkout finished: quote → order → payment succeeded, in `ms` end to end. */
  checkoutCompleted(ms: number): void;
}

const SORTS = ['price', '-price', 'name', '-createdAt'] as const;

/** A catalog query as a shopper would send it: mostly browsing, some searching and filtering. */
function catalogPath(fixture: Fixture): string {
  const pageSize = 20;
  // A page or two past the end too: an empty page is a valid answer that costs a count.
  const lastPage = Math.ceil(fixture.products.length / pageSize) + 2;
  const query = new URLSearchParams({
    page: String(between(1, lastPage)),
    pageSize: String(pageSize),
    sort: pick(SORTS),
  });
  if (Math.random() < 0.4) {
    query.set('q', pick(fixture.searchTerms));
    query.set('page', '1');
  }
  if (Math.random() < 0.2) {
    const min = between(0, 10_000);
    query.set('minPrice', String(min));
    query.set('maxPrice', String(min + between(1_000, 15_000)));
  }
  if (Math.random() < 0.2) query.set('inStock', 'true');
  return `/api/v1/products?${query.toString()}`;
}

export const ADDRESSES = [
  {
    name: 'Ada Lovelace',
    line1: '12 St James Square',
    city: 'London',
    postalCode: 'SW1Y 4JH',
    country: 'GB',
  },
  {
    name: 'Grace Hopper',
    line1: '1 Navy Yard',
    line2: 'Apt 3',
    city: 'Arlington',
    postalCode: '22202',
    country: 'US',
  },
  {
    name: 'Émilie du Châtelet',
    line1: '5 Rue de Cirey',
    city: 'Paris',
    postalCode: '75004',
    country: 'fr',
  },
  {
    name: 'Katherine Johnson',
    line1: '100 NASA Way',
    city: 'Hampton',
    postalCode: '23666',
    country: 'US',
  },
];

export const catalogList: Scenario = {
  name: 'catalog-list',
  description: 'GET /api/v1/products with varying pages, sorts, searches and price filters',
  build: (fixture) => ({
    requests: [
      { method: 'GET', setupRequest: (request) => ({ ...request, path: catalogPath(fixture) }) },
    ],
  }),
};

/** The items of one order as the place-order scenarios send them. */
export type OrderItemsOf = (fixture: Fixture) => { productId: string; quantity: number }[];

/** 1-3 distinct random products of quantity 1-2: a cart that rarely meets another on a row. */
export const spreadItems: OrderItemsOf = (fixture) =>
  sample(fixture.products, between(1, 3)).map((product) => ({
    productId: product.id,
    quantity: between(1, 2),
  }));

/** One unit of the fixture's first product: every order waits on the same row lock. */
export const hotItems: OrderItemsOf = (fixture) => [
  { productId: fixture.products[0]!.id, quantity: 1 },
];

/**
 * One order's request as every place-order target gets it, customer by customer in turn: the
 * HTTP body Ordo takes, and what the limits take instead of a token (the customer's id and
 * email, which Ordo reads from the token and the users table).
 */
export function orderRequests(fixture: Fixture, items: OrderItemsOf) {
  let next = 0;
  return () => {
    const customer = fixture.customers[next++ % fixture.customers.length]!;
    return {
      customer,
      items: items(fixture),
      shippingAddress: pick(ADDRESSES) as Record<string, string>,
    };
  };
}

const placeOrderScenario = (name: string, description: string, items: OrderItemsOf): Scenario => ({
  name,
  description,
  build: (fixture, hooks) => {
    const nextOrder = orderRequests(fixture, items);
    return {
      requests: [
        {
          method: 'POST',
          path: '/api/v1/orders',
          setupRequest: (request) => {
            const { customer, ...body } = nextOrder();
            return {
              ...request,
              headers: {
                ...request.headers,
                'content-type': 'application/json',
                authorization: `Bearer ${customer.accessToken}`,
              },
              body: JSON.stringify(body),
            };
          },
          onResponse: (status, body) => {
            if (status === 201) hooks.orderPlaced(body);
          },
        },
      ],
    };
  },
});

export const placeOrder = placeOrderScenario(
  'place-order',
  'POST /api/v1/orders: a rotating customer, 1-3 random products of quantity 1-2, an address',
  spreadItems,
);

export const hotSku = placeOrderScenario(
  'hot-sku',
  'POST /api/v1/orders: a rotating customer, one unit of the same product in every order',
  hotItems,
);

/** The catalog page every shopper opens first: one query, so every request is a cache hit. */
export const CACHED_CATALOG_PATH = '/api/v1/products?page=1&pageSize=20';

export const catalogCached: Scenario = {
  name: 'catalog-cached',
  description: `GET ${CACHED_CATALOG_PATH}: the same page each time, answered from the catalog cache`,
  connections: [8, 32, 50, 64],
  build: () => ({ requests: [{ method: 'GET', path: CACHED_CATALOG_PATH }] }),
};

interface CheckoutContext {
  startedAt?: number;
  token?: string;
  body?: string;
  orderId?: string;
}

const jsonRequest = <R extends { headers?: object }>(request: R, token: string, body: string) => ({
  ...request,
  headers: {
    ...request.headers,
    'content-type': 'application/json',
    authorization: `Bearer ${token}`,
  },
  body,
});

/**
 * The whole purchase as a storefront makes it, per connection in sequence: quote the cart,
 * place the order, pay with pm_card_visa through the built-in gateway. A checkout counts when
 * the payment answers `succeeded` (the order is paid by then); its time runs from the quote.
 */
export const checkout: Scenario = {
  name: 'checkout',
  description: 'quote → POST /api/v1/orders → POST /api/v1/orders/{id}/payments (pm_card_visa)',
  build: (fixture, hooks) => {
    let next = 0;
    return {
      requests: [
        {
          method: 'POST',
          path: '/api/v1/orders/quote',
          setupRequest: (request, context: CheckoutContext) => {
            const customer = fixture.customers[next++ % fixture.customers.length]!;
            const items = sample(fixture.products, between(1, 3)).map((product) => ({
              productId: product.id,
              quantity: between(1, 2),
            }));
            context.startedAt = Date.now();
            context.token = customer.accessToken;
            context.body = JSON.stringify({ items, shippingAddress: pick(ADDRESSES) });
            return jsonRequest(request, customer.accessToken, JSON.stringify({ items }));
          },
        },
        {
          method: 'POST',
          path: '/api/v1/orders',
          setupRequest: (request, context: CheckoutContext) =>
            jsonRequest(request, context.token!, context.body!),
          onResponse: (status, body, context: CheckoutContext) => {
            context.orderId = status === 201 ? (JSON.parse(body) as { id: string }).id : undefined;
            if (status === 201) hooks.orderPlaced(body);
          },
        },
        {
          method: 'POST',
          setupRequest: (request, context: CheckoutContext) => ({
            ...jsonRequest(
              request,
              context.token!,
              JSON.stringify({ paymentMethod: 'pm_card_visa' }),
            ),
            path: `/api/v1/orders/${context.orderId ?? 'none'}/payments`,
          }),
          onResponse: (status, body, context: CheckoutContext) => {
            if (status === 201 && (JSON.parse(body) as { status: string }).status === 'succeeded') {
              hooks.checkoutCompleted(Date.now() - context.startedAt!);
            }
          },
        },
      ],
    };
  },
};

/** Every scenario `npm run bench` runs against Ordo, in order. */
export const scenarios: Scenario[] = [placeOrder, hotSku, catalogCached, catalogList, checkout];
