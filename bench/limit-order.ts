import pg from 'pg';
import { newId } from '../src/shared/ids.js';
import { priceOrder, type ShippingRule } from '../src/modules/orders/pricing.js';

/**
 * The limit that place-order is compared with: the same order placed by the smallest correct
 * transaction, written by hand with `pg` and named (prepared) statements. It has Ordo's effects
 * and locking, row for row:
 *
 * - the ordered products locked in id order (`FOR UPDATE`), so two orders never deadlock, and
 *   checked under that lock: every product public, every line's stock enough (duplicate lines
 *   summed first), or nothing is written;
 * - stock decremented, one `reserve` movement per product in the stock ledger (with
 *   `stock_after`), the order, its lines, its first history entry, and the confirmation job
 *   row in pg-boss's job table, all in one statement after the lock.
 *
 * The job row goes to a queue of its own (`bench-limit-order-confirmation`, created with the
 * settings of Ordo's `order-confirmation-email` queue, so the same partition layout, indexes
 * and defaults, and the job table's triggers fire for it as for Ordo's): no worker consumes it,
 * so the limit's orders send no email and Ordo's worker is not handed work only the limit caused.
 *
 * What it leaves out, because it is not part of placing an order's rows: authentication, the
 * customer lookup (the caller passes the user's id and email), request validation and the
 * response mapping. Promo codes are not used by the scenarios, so it has no promo path, and
 * no hoarding check (the bench runs Ordo with MAX_UNPAID_ORDERS=0 and MAX_UNITS_PER_PRODUCT=0).
 */

export const LIMIT_QUEUE = 'bench-limit-order-confirmation';
const ORDO_QUEUE = 'order-confirmation-email';

export interface LimitOrderInput {
  userId: string;
  email: string;
  items: { productId: string; quantity: number }[];
  shippingAddress: Record<string, string>;
}

export interface LimitSettings {
  currency: string;
  shipping: ShippingRule;
  orderPaymentTtlMs: number;
}

export type LimitOutcome =
  | { ok: true; order: LimitOrder }
  | { ok: false; status: 409 | 422; code: 'OUT_OF_STOCK' | 'PRODUCT_UNAVAILABLE' };

export interface LimitOrder {
  id: string;
  number: number;
  status: 'pending_payment';
  paymentStatus: 'unpaid';
  subtotal: number;
  discount: number;
  shipping: number;
  total: number;
  currency: string;
  lines: { productId: string; sku: string; name: string; unitPrice: number; quantity: number }[];
  shippingAddress: Record<string, string>;
  expiresAt: string;
  createdAt: string;
}

const LOCK = {
  name: 'bench_limit_lock_products',
  text: `select id, sku, name, price, stock from products
         where id = any($1::text[]) and active and archived_at is null
         order by id for update`,
};

const WRITE = {
  name: 'bench_limit_write_order',
  text: `with taken as (
      update products p set stock = p.stock - r.qty, updated_at = $3
      from unnest($1::text[], $2::int[]) as r(id, qty)
      where p.id = r.id
      returning p.id, p.stock
    ), ledger as (
      insert into stock_movements (id, product_id, kind, delta, stock_after, order_id, actor_id, created_at)
      select r.mid, t.id, 'reserve', -r.qty, t.stock, $5, $6, $3
      from taken t join unnest($1::text[], $2::int[], $4::text[]) as r(id, qty, mid) on r.id = t.id
    ), placed as (
      insert into orders (id, user_id, email, status, payment_status, subtotal, discount, shipping,
                          total, currency, promo_code, shipping_address, expires_at, created_at, updated_at)
      values ($5, $6, $7, 'pending_payment', 'unpaid', $8, $9, $10, $11, $12, null, $13::jsonb, $14, $3, $3)
      returning number
    ), lines as (
      insert into order_lines (id, order_id, position, product_id, sku, name, unit_price, quantity,
                               subtotal, discount, total)
      select l.id, $5, l.pos, l.pid, l.sku, l.name, l.price, l.qty, l.sub, l.disc, l.tot
      from unnest($15::text[], $16::int[], $17::text[], $18::text[], $19::text[], $20::bigint[],
                  $21::int[], $22::bigint[], $23::bigint[], $24::bigint[])
           as l(id, pos, pid, sku, name, price, qty, sub, disc, tot)
    ), history as (
      insert into order_history (order_id, from_status, to_status, actor_id, actor_role, reason, created_at)
      values ($5, null, 'pending_payment', $6, 'customer', 'order placed', $3)
    ), job as (
      insert into pgboss.job (name, data, retry_limit, retry_delay, retry_backoff, expire_in,
                              keep_until, dead_letter, policy)
      select q.name, $25::jsonb, coalesce(q.retry_limit, 2), coalesce(q.retry_delay, 0),
             coalesce(q.retry_backoff, false), coalesce(q.expire_seconds, 900) * interval '1s',
             now() + coalesce(q.retention_minutes * interval '1 minute', interval '14 days'),
             q.dead_letter, q.policy
      from pgboss.queue q where q.name = $26
    )
    select number from placed`,
};

/** Creates the limit's job queue like Ordo's confirmation queue; a no-op when it exists. */
export async function prepareLimitQueue(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      `select pgboss.create_queue($1, json_build_object(
         'policy', policy, 'retryLimit', retry_limit, 'retryDelay', retry_delay,
         'retryBackoff', retry_backoff, 'expireInSeconds', expire_seconds,
         'retentionMinutes', retention_minutes, 'deadLetter', dead_letter))
       from pgboss.queue where name = $2`,
      [LIMIT_QUEUE, ORDO_QUEUE],
    );
    if (rowCount !== 1) throw new Error(`pg-boss has no ${ORDO_QUEUE} queue to copy`);
  } finally {
    await client.end();
  }
}

/** Places one order on `client` (a connection of its own, not in a transaction). */
export async function placeLimitOrder(
  client: pg.ClientBase,
  settings: LimitSettings,
  input: LimitOrderInput,
): Promise<LimitOutcome> {
  const summed = new Map<string, number>();
  for (const { productId, quantity } of input.items) {
    summed.set(productId, (summed.get(productId) ?? 0) + quantity);
  }
  const ids = [...summed.keys()];
  const now = new Date();
  const orderId = newId('ord', now.getTime());

  await client.query('begin');
  try {
    const { rows } = await client.query<{
      id: string;
      sku: string;
      name: string;
      price: number;
      stock: number;
    }>({ ...LOCK, values: [ids] });
    const byId = new Map(rows.map((row) => [row.id, row]));
    if (rows.length !== ids.length) {
      await client.query('rollback');
      return { ok: false, status: 422, code: 'PRODUCT_UNAVAILABLE' };
    }
    if (ids.some((id) => byId.get(id)!.stock < summed.get(id)!)) {
      await client.query('rollback');
      return { ok: false, status: 409, code: 'OUT_OF_STOCK' };
    }
    const priced = priceOrder(
      ids.map((id) => {
        const product = byId.get(id)!;
        return {
          productId: id,
          sku: product.sku,
          name: product.name,
          unitPrice: product.price,
          quantity: summed.get(id)!,
        };
      }),
      0,
      settings.shipping,
    );
    const expiresAt = new Date(now.getTime() + settings.orderPaymentTtlMs);
    const lines = priced.lines;
    const { rows: placed } = await client.query<{ number: string }>({
      ...WRITE,
      values: [
        ids,
        ids.map((id) => summed.get(id)!),
        now,
        ids.map(() => newId('mov', now.getTime())),
        orderId,
        input.userId,
        input.email,
        priced.subtotal,
        priced.discount,
        priced.shipping,
        priced.total,
        settings.currency,
        JSON.stringify(input.shippingAddress),
        expiresAt,
        lines.map(() => newId('oln', now.getTime())),
        lines.map((_, i) => i),
        lines.map((l) => l.productId),
        lines.map((l) => l.sku),
        lines.map((l) => l.name),
        lines.map((l) => l.unitPrice),
        lines.map((l) => l.quantity),
        lines.map((l) => l.subtotal),
        lines.map((l) => l.discount),
        lines.map((l) => l.total),
        JSON.stringify({ orderId }),
        LIMIT_QUEUE,
      ],
    });
    await client.query('commit');
    return {
      ok: true,
      order: {
        id: orderId,
        number: Number(placed[0]!.number),
        status: 'pending_payment',
        paymentStatus: 'unpaid',
        subtotal: priced.subtotal,
        discount: priced.discount,
        shipping: priced.shipping,
        total: priced.total,
        currency: settings.currency,
        lines: lines.map(({ productId, sku, name, unitPrice, quantity }) => ({
          productId,
          sku,
          name,
          unitPrice,
          quantity,
        })),
        shippingAddress: input.shippingAddress,
        expiresAt: expiresAt.toISOString(),
        createdAt: now.toISOString(),
      },
    };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}
