import pg from 'pg';
import { newId } from '../src/shared/ids.js';
import type { ShippingRule } from '../src/modules/orders/pricing.js';

/**
 * The limit that place-order is compared with: the same order placed by the smallest correct
 * transaction, written by hand with `pg` as one named (prepared) statement, which is its own
 * transaction: one round trip per order. It has Ordo's effects and locking, row for row:
 *
 * - each ordered product's one variant (the scenarios' products have no options), its row
 *   locked in variant id order (`FOR UPDATE`), so two orders never deadlock, and judged under
 *   that lock: every variant and product public, every line's stock enough (duplicate lines
 *   summed first), or nothing is written;
 * - the variant's stock decremented, one `reserve` movement per variant in the ledger (with
 *   `stock_after`), the order (priced from the locked rows: subtotal, flat shipping unless
 *   free over the threshold, no discount), its lines, its first history entry, and the
 *   confirmation job row in pg-boss's job table.
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

/**
 * The whole order in one statement, which is its own transaction: one round trip. `locked`
 * takes the row locks in id order and is materialized, so it is complete before any row
 * changes; `verdict` judges every line from the locked rows (current under READ COMMITTED:
 * FOR UPDATE returns the latest committed version); every write joins the verdict, so a
 * refused order writes nothing.
 *
 * $1 product ids (distinct) · $2 quantities · $3 now · $4 movement ids · $5 order id ·
 * $6 user id · $7 email · $8 currency · $9 shipping address · $10 expires at · $11 line ids ·
 * $12 flat shipping rate · $13 free shipping from (null: never) · $14 job data · $15 queue ·
 * $16 the number of lines (a limit that drops none: it keeps PostgreSQL on the statement's
 * generic plan, as Ordo's own; see rowsOf in src/db/insert-select.ts)
 */
export const PLACE = {
  name: 'bench_limit_place_order',
  text: `with wanted as (
      select (select v.id from product_variants v join products vp on vp.id = v.product_id
               where v.product_id = r.id and jsonb_array_length(vp.options) = 0) as vid,
             r.id, r.qty, r.mid, r.lid, r.pos - 1 as pos
      from (select * from unnest($1::text[], $2::int[], $4::text[], $11::text[]) with ordinality as r(id, qty, mid, lid, pos)
            limit $16::int4) r
    ), locked as materialized (
      select v.id, v.product_id, v.sku, p.name, v.title, v.price, v.stock
      from product_variants v join products p on p.id = v.product_id
      where v.id in (select vid from wanted) and v.active and p.active and p.archived_at is null
      order by v.id for update of v
    ), verdict as (
      select count(l.id) = count(*) as found,
             coalesce(bool_and(l.stock >= w.qty), false) as enough,
             coalesce(sum(l.price::bigint * w.qty), 0) as subtotal
      from wanted w left join locked l on l.id = w.vid
    ), priced as (
      select v.subtotal,
             case when $13::bigint is not null and v.subtotal >= $13::bigint then 0 else $12::bigint end as shipping
      from verdict v where v.found and v.enough
    ), taken as (
      update product_variants v set stock = v.stock - w.qty, updated_at = $3
      from wanted w, priced
      where v.id = w.vid
      returning v.id, v.product_id, v.stock
    ), ledger as (
      insert into stock_movements (id, product_id, variant_id, kind, delta, stock_after, order_id, actor_id, created_at)
      select w.mid, t.product_id, t.id, 'reserve', -w.qty, t.stock, $5, $6, $3
      from taken t join wanted w on w.vid = t.id
    ), placed as (
      insert into orders (id, user_id, email, status, payment_status, subtotal, discount, shipping,
                          total, currency, promo_code, shipping_address, expires_at, created_at, updated_at)
      select $5, $6, $7, 'pending_payment', 'unpaid', subtotal, 0, shipping, subtotal + shipping,
             $8, null, $9::jsonb, $10, $3, $3
      from priced
      returning number, subtotal, shipping, total
    ), lines as (
      insert into order_lines (id, order_id, position, product_id, variant_id, variant_title, sku,
                               name, unit_price, quantity, subtotal, discount, total)
      select w.lid, $5, w.pos, l.product_id, l.id, l.title, l.sku, l.name, l.price, w.qty,
             l.price::bigint * w.qty, 0, l.price::bigint * w.qty
      from wanted w join locked l on l.id = w.vid, priced
      returning product_id, sku, name, unit_price, quantity, position
    ), history as (
      insert into order_history (order_id, from_status, to_status, actor_id, actor_role, reason, created_at)
      select $5, null, 'pending_payment', $6, 'customer', 'order placed', $3 from priced
    ), job as (
      insert into pgboss.job (name, data, retry_limit, retry_delay, retry_backoff, expire_in,
                              keep_until, dead_letter, policy)
      select q.name, $14::jsonb, coalesce(q.retry_limit, 2), coalesce(q.retry_delay, 0),
             coalesce(q.retry_backoff, false), coalesce(q.expire_seconds, 900) * interval '1s',
             now() + coalesce(q.retention_minutes * interval '1 minute', interval '14 days'),
             q.dead_letter, q.policy
      from pgboss.queue q, priced where q.name = $15
    )
    select v.found, v.enough, o.number, o.subtotal, o.shipping, o.total,
           (select coalesce(json_agg(json_build_object(
              'productId', product_id, 'sku', sku, 'name', name,
              'unitPrice', unit_price, 'quantity', quantity) order by position), '[]'::json)
            from lines) as lines
    from verdict v left join placed o on true`,
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
  // Duplicate lines summed, in the order the customer first named each product.
  const summed = new Map<string, number>();
  for (const { productId, quantity } of input.items) {
    summed.set(productId, (summed.get(productId) ?? 0) + quantity);
  }
  const ids = [...summed.keys()];
  const now = new Date();
  const orderId = newId('ord', now.getTime());
  const expiresAt = new Date(now.getTime() + settings.orderPaymentTtlMs);
  const { rows } = await client.query<{
    found: boolean;
    enough: boolean;
    number: string | null;
    subtotal: string | null;
    shipping: string | null;
    total: string | null;
    lines: LimitOrder['lines'];
  }>({
    ...PLACE,
    values: [
      ids,
      ids.map((id) => summed.get(id)!),
      now,
      ids.map(() => newId('mov', now.getTime())),
      orderId,
      input.userId,
      input.email,
      settings.currency,
      JSON.stringify(input.shippingAddress),
      expiresAt,
      ids.map(() => newId('oln', now.getTime())),
      settings.shipping.flatRate,
      settings.shipping.freeOver ?? null,
      JSON.stringify({ orderId }),
      LIMIT_QUEUE,
      ids.length,
    ],
  });
  const row = rows[0]!;
  if (!row.found) return { ok: false, status: 422, code: 'PRODUCT_UNAVAILABLE' };
  if (!row.enough) return { ok: false, status: 409, code: 'OUT_OF_STOCK' };
  return {
    ok: true,
    order: {
      id: orderId,
      number: Number(row.number),
      status: 'pending_payment',
      paymentStatus: 'unpaid',
      subtotal: Number(row.subtotal),
      discount: 0,
      shipping: Number(row.shipping),
      total: Number(row.total),
      currency: settings.currency,
      lines: row.lines,
      shippingAddress: input.shippingAddress,
      expiresAt: expiresAt.toISOString(),
      createdAt: now.toISOString(),
    },
  };
}
