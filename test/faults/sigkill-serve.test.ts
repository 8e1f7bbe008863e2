import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAllOrdo, startOrdo, waitForReady } from '../helpers/cli.js';
import {
  createAdmin,
  createProduct,
  faultReport,
  orderTagsOf,
  placeOrdersUntilStopped,
  registerCustomer,
  sigterm,
  stockMovements,
  unacknowledgedWrites,
} from '../helpers/load.js';
import { HttpClient } from '../helpers/test-app.js';
import { freePort, waitFor } from '../helpers/wait.js';

// `ordo serve` on the embedded default (PGlite in DATA_DIR), the way a newcomer runs it,
// killed with SIGKILL under order load: no drain, no close, the database files left as the
// kill found them (a power cut, an OOM kill). Started again on the same DATA_DIR, every order
// it acknowledged (201) is there with its stock movement, and stock equals its ledger.

const STOCK = 100_000;
const env = {
  RATE_LIMIT_AUTH: '1000',
  // The load is a few customers': no unpaid-order caps (0: off).
  MAX_UNPAID_ORDERS: '0',
  MAX_UNITS_PER_PRODUCT: '0',
  LOG_LEVEL: 'warn',
};

describe('`ordo serve` on the embedded database killed with SIGKILL under load', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ordo-sigkill-'));
  afterEach(() => killAllOrdo());
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  async function start() {
    const port = await freePort();
    const ordo = startOrdo(['serve'], {
      ...env,
      DATA_DIR: dataDir,
      PORT: String(port),
      GATEWAY_PORT: String(await freePort()),
    });
    const http = new HttpClient(`http://127.0.0.1:${port}`);
    await waitForReady(ordo, http.baseUrl);
    return { ordo, http };
  }

  it(
    'loses no acknowledged order: each is there after a restart with its stock movement, and stock equals its ledger',
    { timeout: 180_000 },
    async () => {
      const loginAdmin = await createAdmin({ ...env, DATA_DIR: dataDir });
      const { ordo, http } = await start();
      const admin = await loginAdmin(http);
      const product = await createProduct(http, admin, { stock: STOCK });
      const customers = await Promise.all([1, 2, 3].map(() => registerCustomer(http)));
      const load = placeOrdersUntilStopped(http, {
        tokens: customers.map((c) => c.token),
        productIds: [product.id],
        clients: 6,
      });
      await waitFor(() => load.acknowledged.length >= 40, {
        what: 'orders before the kill',
        timeoutMs: 90_000,
      });
      // Killed with requests in flight: they may have committed or not, but never half.
      const inFlightAtKill = load.inFlight;
      ordo.child.kill('SIGKILL');
      expect(await ordo.exited).toMatchObject({ signal: 'SIGKILL' });
      await load.stop();
      // Before the kill every request was acknowledged; after it none could be answered.
      expect(load.failures.filter((status) => status !== 0)).toEqual([]);

      const again = await start();
      const adminAgain = await loginAdmin(again.http);
      const productAgain = await again.http.get(`/api/v1/admin/products/${product.id}`, {
        token: adminAgain,
      });
      expect(productAgain.status).toBe(200);
      const movements = await stockMovements(again.http, adminAgain, product.id);
      const movedFor = new Set(movements.flatMap((m) => (m.orderId ? [m.orderId] : [])));
      const missing = [];
      for (const order of load.acknowledged) {
        const res = await again.http.get(`/api/v1/admin/orders/${order.id}`, {
          token: adminAgain,
        });
        if (res.status !== 200 || !movedFor.has(order.id))
          missing.push({ ...order, status: res.status, moved: movedFor.has(order.id) });
      }
      expect(missing).toEqual([]);
      // Every order the database holds came from a request of the load: the acknowledged ones,
      // and at most the requests in flight at the kill (committed, their answer never sent).
      const written = await orderTagsOf(
        again.http,
        adminAgain,
        customers.map((c) => c.email),
      );
      const { acknowledgedMissing, writtenNeverSent, writtenUnacknowledged } = unacknowledgedWrites(
        load,
        written,
      );
      expect({ acknowledgedMissing, writtenNeverSent }).toEqual({
        acknowledgedMissing: [],
        writtenNeverSent: [],
      });
      expect(writtenUnacknowledged.length).toBeLessThanOrEqual(inFlightAtKill);
      // Stock: one unit for each order the database holds, and equal to the ledger.
      const stock = productAgain.body.stock as number;
      expect(stock).toBe(movements.reduce((sum, m) => sum + m.delta, 0));
      expect(stock).toBe(STOCK - written.length);
      faultReport('sigkill serve (PGlite)', {
        acknowledged: load.acknowledged.length,
        inFlightAtKill,
        committedUnanswered: writtenUnacknowledged.length,
        unitsTaken: STOCK - stock,
      });
      expect((await sigterm(again.ordo)).code).toBe(0);
    },
  );
});
