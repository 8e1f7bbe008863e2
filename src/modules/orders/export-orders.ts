import { and, asc, desc, inArray, lt } from 'drizzle-orm';
import type { AppContext } from '../../app-context.js';
import { csvRow } from '../../shared/csv.js';
import { decimalAmount } from '../../shared/money.js';
import type { Executor } from '../../db/client.js';
import type { Actor } from '../auth/auth.service.js';
import { requireStaff } from './order-access.js';
import { orderIdRef, type RefundedOf } from './order-figures.js';
import { whereOrders } from './order.repository.js';
import { orderLines, orders, type OrderStatus } from './order.table.js';

/** The admin orders list's filters, with the same meaning as there. */
export interface ExportFilter {
  status?: OrderStatus | undefined;
  /** Case-insensitive substring of the customer's email. */
  email?: string | undefined;
  /** Placed at or after. */
  from?: Date | undefined;
  /** Placed before. */
  to?: Date | undefined;
  /** Exact code, any letter case. */
  promoCode?: string | undefined;
  /** The order number, exactly. */
  number?: number | undefined;
}

/**
 * The columns of the export, in order. Every amount (subtotal, discount, shipping, total,
 * refunded) is a decimal in major units of `currency` in its own precision (`12.50` USD,
 * `1500` JPY): a spreadsheet reads them as they are, and no column mixes units with another.
 */
export const EXPORT_COLUMNS = [
  'number',
  'id',
  'created_at',
  'status',
  'payment_status',
  'email',
  'ship_to_name',
  'ship_to_line1',
  'ship_to_line2',
  'ship_to_city',
  'ship_to_postal_code',
  'ship_to_country',
  'items',
  'units',
  'promo_code',
  'currency',
  'subtotal',
  'discount',
  'shipping',
  'total',
  'refunded',
  'carrier',
  'tracking_number',
] as const;

/** What the description of the export says of its format, for the route's OpenAPI entry. */
export const EXPORT_FORMAT = `UTF-8 CSV (RFC 4180, CRLF line ends) with a header row and one row per order, newest order number first. Columns: ${EXPORT_COLUMNS.join(', ')}. \`subtotal\`, \`discount\`, \`shipping\`, \`total\` and \`refunded\` are decimals in major units of \`currency\`, in its own precision (\`12.50\` USD, \`1500\` JPY); \`refunded\` is what the order's payments have refunded. \`items\` lists \`SKU xQUANTITY\` separated by \`; \`. A text cell that starts with = + - @, a tab or a carriage return gets a leading apostrophe so that spreadsheets do not run it as a formula.`;

/** Rows per query. Each page is one statement; nothing holds more than a page in memory. */
const PAGE_SIZE = 500;

/** One page of orders after the cursor (an order number), newest number first. */
async function exportPage(
  db: Executor,
  filter: ExportFilter,
  refundedOf: RefundedOf,
  before: number | undefined,
) {
  const rows = await db
    .select({ order: orders, refunded: refundedOf(orderIdRef) })
    .from(orders)
    .where(and(whereOrders(filter), before === undefined ? undefined : lt(orders.number, before)))
    .orderBy(desc(orders.number))
    .limit(PAGE_SIZE);
  const lines =
    rows.length === 0
      ? []
      : await db
          .select({
            orderId: orderLines.orderId,
            sku: orderLines.sku,
            quantity: orderLines.quantity,
          })
          .from(orderLines)
          .where(
            inArray(
              orderLines.orderId,
              rows.map((r) => r.order.id),
            ),
          )
          .orderBy(asc(orderLines.orderId), asc(orderLines.position));
  const linesOf = new Map<string, { sku: string; quantity: number }[]>();
  for (const line of lines) {
    const list = linesOf.get(line.orderId) ?? [];
    list.push(line);
    linesOf.set(line.orderId, list);
  }
  return rows.map(({ order, refunded }) => ({
    order,
    refunded,
    lines: linesOf.get(order.id) ?? [],
  }));
}

type ExportPage = Awaited<ReturnType<typeof exportPage>>;

function rowOf({ order, refunded, lines }: ExportPage[number]): string {
  const address = order.shippingAddress;
  const amount = (minor: number) => decimalAmount(minor, order.currency);
  return csvRow([
    order.number,
    order.id,
    order.createdAt.toISOString(),
    order.status,
    order.paymentStatus,
    order.email,
    address.name,
    address.line1,
    address.line2,
    address.city,
    address.postalCode,
    address.country,
    lines.map((l) => `${l.sku} x${l.quantity}`).join('; '),
    lines.reduce((sum, l) => sum + l.quantity, 0),
    order.promoCode,
    order.currency,
    amount(order.subtotal),
    amount(order.discount),
    amount(order.shipping),
    amount(order.total),
    amount(refunded),
    order.carrier,
    order.trackingNumber,
  ]);
}

/**
 * The orders matching the admin list's filters as CSV, produced a page at a time: a header
 * row, then one row per order, newest order number first. Pages follow a keyset cursor (the
 * order number), so each is one indexed query however deep the export goes, and memory holds
 * one page. Staff and admins only. `refundedOf` is the payments module's read of what was
 * refunded of an order (an SQL value over its id), passed in by the caller.
 *
 * The first page is read before this resolves, so a refusal or a database failure is still a
 * problem response rather than a cut-off file. Pages are separate reads: an order placed
 * during a long export may or may not appear, but none appears twice.
 */
export async function exportOrdersCsv(
  ctx: Pick<AppContext, 'db'>,
  actor: Actor,
  filter: ExportFilter,
  refundedOf: RefundedOf,
): Promise<AsyncIterable<string>> {
  requireStaff(actor);
  const first = await exportPage(ctx.db, filter, refundedOf, undefined);
  return (async function* () {
    yield csvRow(EXPORT_COLUMNS);
    let page = first;
    while (page.length > 0) {
      yield page.map(rowOf).join('');
      if (page.length < PAGE_SIZE) return;
      page = await exportPage(ctx.db, filter, refundedOf, page[page.length - 1]!.order.number);
    }
  })();
}
