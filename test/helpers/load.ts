import { runOrdo, type Exit, type OrdoProcess } from './cli.js';
import type { HttpClient } from './test-app.js';

// What the tests that run `ordo` as child processes under load share: accounts and a product
// made through the API, order-placing clients that record every answer, and SIGTERM timed.

export const shippingAddress = {
  name: 'Lo Ad',
  line1: '7 Pressure Lane',
  city: 'Leeds',
  postalCode: 'LS1 1AA',
  country: 'GB',
};

const password = 'correct horse battery staple';
const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

/** Registers a customer through the API and logs in. */
export async function registerCustomer(
  http: HttpClient,
): Promise<{ email: string; token: string }> {
  const email = `c-${unique()}@example.test`;
  const registered = await http.post('/api/v1/auth/register', { email, password, name: 'C' });
  if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
  const login = await http.post('/api/v1/auth/login', { email, password });
  if (login.status !== 200) throw new Error(`login: ${login.status}`);
  return { email, token: login.body.accessToken as string };
}

/**
 * Creates an admin with `ordo create-admin` (run it before a process holding the embedded
 * DATA_DIR starts) and returns a function that logs it in through `http`.
 */
export async function createAdmin(env: Record<string, string>) {
  const email = `admin-${unique()}@example.test`;
  const created = await runOrdo(['create-admin', '--email', email, '--password', password], env);
  if (created.code !== 0) throw new Error(`create-admin: ${created.stderr}${created.stdout}`);
  return async (http: HttpClient): Promise<string> => {
    const login = await http.post('/api/v1/auth/login', { email, password });
    if (login.status !== 200) throw new Error(`admin login: ${login.status}`);
    return login.body.accessToken as string;
  };
}

/** A product made through the admin API. */
export async function createProduct(
  http: HttpClient,
  adminToken: string,
  { stock, price = 1999 }: { stock: number; price?: number },
): Promise<{ id: string }> {
  const res = await http.post(
    '/api/v1/admin/products',
    { sku: `LOAD-${unique()}`, name: 'Load product', price, stock, active: true },
    { token: adminToken },
  );
  if (res.status !== 201)
    throw new Error(`create product: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string };
}

/** Every stock movement (ledger line) of a product, read through the admin API. */
export async function stockMovements(http: HttpClient, adminToken: string, productId: string) {
  const movements: { delta: number; orderId: string | null }[] = [];
  for (let page = 1; ; page++) {
    const res = await http.get(
      `/api/v1/admin/products/${productId}/stock-movements?page=${page}&pageSize=100`,
      { token: adminToken },
    );
    if (res.status !== 200) throw new Error(`stock movements of ${productId}: ${res.status}`);
    const items = res.body.items as { delta: number; orderId: string | null }[];
    movements.push(...items);
    if (items.length < 100) break;
  }
  return movements;
}

/** A product's stock and the sum of its ledger, read through the admin API. */
export async function stockAndLedger(http: HttpClient, adminToken: string, productId: string) {
  const product = await http.get(`/api/v1/admin/products/${productId}`, { token: adminToken });
  const movements = await stockMovements(http, adminToken, productId);
  const ledger = movements.reduce((sum, m) => sum + m.delta, 0);
  return { stock: product.body.stock as number, ledger };
}

export interface Placed {
  id: string;
  number: string;
  /** The request's tag, the shipping name it was placed with. */
  tag: string;
}

export interface Answer {
  /** Unique to the request: its order's shipping name, so the order it wrote can be found. */
  tag: string;
  status: number;
  /** When the request was sent and answered (ms since the epoch). */
  at: number;
  answeredAt: number;
}

export interface OrderLoad {
  /** What every request's tag starts with: unique to this load. */
  readonly tagPrefix: string;
  /** The orders answered 201, in the order they were acknowledged. */
  readonly acknowledged: Placed[];
  /** The status of every request not answered 201 (0: no answer, the connection failed). */
  readonly failures: number[];
  readonly answers: Answer[];
  /** Requests sent and not answered yet. */
  readonly inFlight: number;
  /** Stops the clients and waits for their last requests. */
  stop(): Promise<void>;
}

/**
 * `clients` loops, each placing one-unit orders (client i as tokens[i % n], cycling through
 * `productIds`) until `stop()`, each waiting `pauseMs` between requests (at least 20 ms after
 * a failure, so a closed port is not hammered). Every request is tagged: its shipping name is
 * `tagPrefix` and a number of its own, so `unacknowledgedWrites` can tell which requests wrote
 * an order.
 */
export function placeOrdersUntilStopped(
  http: HttpClient,
  options: { tokens: string[]; productIds: string[]; clients?: number; pauseMs?: number },
): OrderLoad {
  const { tokens, productIds, clients = tokens.length, pauseMs = 0 } = options;
  const acknowledged: Placed[] = [];
  const failures: number[] = [];
  const answers: Answer[] = [];
  const tagPrefix = `load ${unique()}`;
  let inFlight = 0;
  let running = true;
  const loops = Array.from({ length: clients }, async (_, i) => {
    let n = 0;
    while (running) {
      const tag = `${tagPrefix} ${i}.${n}`;
      const productId = productIds[(i + n++) % productIds.length]!;
      const at = Date.now();
      inFlight += 1;
      const res = await http
        .post(
          '/api/v1/orders',
          {
            items: [{ productId, quantity: 1 }],
            shippingAddress: { ...shippingAddress, name: tag },
          },
          { token: tokens[i % tokens.length]! },
        )
        .catch(() => ({ status: 0, body: undefined }));
      inFlight -= 1;
      answers.push({ tag, status: res.status, at, answeredAt: Date.now() });
      if (res.status === 201) {
        const { id, number } = res.body as Omit<Placed, 'tag'>;
        acknowledged.push({ id, number, tag });
      } else failures.push(res.status);
      const pause = res.status === 201 ? pauseMs : Math.max(20, pauseMs);
      if (pause) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  });
  return {
    tagPrefix,
    acknowledged,
    failures,
    answers,
    get inFlight() {
      return inFlight;
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/**
 * Checks a load against the tags of the orders the database holds: every request answered
 * 201 wrote its order, and no other request did (one answered 503 while the server closed,
 * or not answered at all, never ran). Returns what breaks that, by tag: empty when it holds.
 */
export function unacknowledgedWrites(load: OrderLoad, writtenTags: string[]) {
  const written = new Set(writtenTags.filter((tag) => tag.startsWith(`${load.tagPrefix} `)));
  const sent = new Set(load.answers.map((a) => a.tag));
  return {
    acknowledgedMissing: load.acknowledged.filter((o) => !written.has(o.tag)).map((o) => o.tag),
    writtenUnacknowledged: load.answers
      .filter((a) => a.status !== 201 && written.has(a.tag))
      .map((a) => `${a.tag} (answered ${a.status})`),
    writtenNeverSent: [...written].filter((tag) => !sent.has(tag)),
  };
}

/**
 * The shipping names (the tags) of every order of these customers, read through the admin
 * API: what the database holds, whatever the answers said.
 */
export async function orderTagsOf(
  http: HttpClient,
  adminToken: string,
  emails: string[],
): Promise<string[]> {
  const tags: string[] = [];
  for (const email of emails) {
    for (let page = 1; ; page++) {
      const res = await http.get(
        `/api/v1/admin/orders?email=${encodeURIComponent(email)}&page=${page}&pageSize=100`,
        { token: adminToken },
      );
      if (res.status !== 200) throw new Error(`admin orders: ${res.status}`);
      const items = res.body.items as { shippingAddress: { name: string } }[];
      tags.push(...items.map((o) => o.shippingAddress.name));
      if (items.length < 100) break;
    }
  }
  return tags;
}

/** Sends SIGTERM and waits for the exit; `ms` is how long the process took to stop. */
export async function sigterm(ordo: OrdoProcess): Promise<Exit & { ms: number }> {
  const started = Date.now();
  ordo.child.kill('SIGTERM');
  const exit = await ordo.exited;
  return { ...exit, ms: Date.now() - started };
}

/** The figures RELIABILITY.md quotes: `FAULT_REPORT=1 npm run test:faults`. */
export const faultReport = (test: string, figures: object) => {
  if (process.env.FAULT_REPORT) console.log(JSON.stringify({ test, ...figures }));
};
