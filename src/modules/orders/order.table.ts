import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  text,
} from 'drizzle-orm/pg-core';
import { at, createdAt, id, money, updatedAt } from '../../db/columns.js';

export const orderStatuses = [
  'pending_payment',
  'paid',
  'shipped',
  'delivered',
  'cancelled',
  'expired',
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

export const paymentStatuses = ['unpaid', 'paid', 'partially_refunded', 'refunded'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

export interface ShippingAddress {
  name: string;
  line1: string;
  line2?: string | undefined;
  city: string;
  /** ISO 3166-2 (`US-CA`), the country's; absent on orders placed without one. */
  region?: string | undefined;
  postalCode: string;
  country: string;
  phone?: string | undefined;
}

/** Human-readable order numbers: sequential, starting at 1001. Gaps (rolled-back orders) are fine. */
export const orderNumberSeq = pgSequence('order_number_seq', { startWith: 1001 });

export const orders = pgTable(
  'orders',
  {
    id: id(),
    number: bigint('number', { mode: 'number' })
      .notNull()
      .unique('orders_number_key')
      .default(sql`nextval('order_number_seq')`),
    /**
     * The customer's account; null for a guest's order until an account verifies its email
     * (the order then joins that account).
     */
    userId: text('user_id'),
    /** The customer's email when the order was placed (normalised): where its emails go. */
    email: text('email').notNull(),
    /**
     * A guest's order: the SHA-256 (hex) of its token, which opens this order alone
     * (X-Order-Token). Null for an order placed signed in. Kept when the order joins an
     * account, so the emailed links keep working and staff see it was a guest checkout.
     */
    guestTokenHash: text('guest_token_hash'),
    status: text('status', { enum: orderStatuses }).notNull(),
    paymentStatus: text('payment_status', { enum: paymentStatuses }).notNull().default('unpaid'),
    // Money columns are bigint: an order may exceed int4's 21 million major units.
    subtotal: money('subtotal').notNull(),
    discount: money('discount').notNull().default(0),
    shipping: money('shipping').notNull().default(0),
    total: money('total').notNull(),
    currency: text('currency').notNull(),
    promoCode: text('promo_code'),
    shippingAddress: jsonb('shipping_address').$type<ShippingAddress>().notNull(),
    /** An unpaid order expires at this time (ORDER_PAYMENT_TTL after placement). */
    expiresAt: at('expires_at').notNull(),
    carrier: text('carrier'),
    trackingNumber: text('tracking_number'),
    /**
     * A payment of this order is processing at the provider: it may not expire, and no other
     * payment may start, until that one settles. Set and cleared under the order's row lock.
     */
    paymentInProgress: boolean('payment_in_progress').notNull().default(false),
    /** When goods of this paid order first came back to stock (each line counts its units). */
    restockedAt: at('restocked_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('orders_user_idx').on(t.userId, t.createdAt),
    // A guest's orders by email: their hoarding limits, and joining an account that verifies it.
    index('orders_guest_email_idx')
      .on(t.email)
      .where(sql`${t.userId} is null`),
    index('orders_status_idx').on(t.status, t.createdAt),
    // The admin list's order (createdAt, number descending), for paging without a sort.
    index('orders_created_at_idx').on(t.createdAt, t.number),
    index('orders_promo_code_idx').on(sql`lower(${t.promoCode})`, t.createdAt),
    index('orders_expiry_idx')
      .on(t.expiresAt)
      .where(sql`${t.status} = 'pending_payment'`),
    // Every order is somebody's: an account's, or the holder of its token.
    check('orders_customer_check', sql`${t.userId} is not null or ${t.guestTokenHash} is not null`),
    check(
      'orders_amounts_check',
      sql`${t.subtotal} >= 0 and ${t.discount} >= 0 and ${t.shipping} >= 0 and ${t.total} = ${t.subtotal} - ${t.discount} + ${t.shipping}`,
    ),
  ],
);

/** An order's lines: the variant as it was when ordered (name, title, sku, price), never re-read. */
export const orderLines = pgTable(
  'order_lines',
  {
    id: id(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    productId: text('product_id').notNull(),
    /** The variant ordered: stock was taken from it, and comes back to it. */
    variantId: text('variant_id').notNull(),
    /** The variant's title when ordered ("M / Red"; empty for a product without options). */
    variantTitle: text('variant_title').notNull(),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    unitPrice: money('unit_price').notNull(),
    quantity: integer('quantity').notNull(),
    subtotal: money('subtotal').notNull(),
    /** This line's share of the order discount (largest remainder; the shares sum to it). */
    discount: money('discount').notNull().default(0),
    total: money('total').notNull(),
    /**
     * Units of this line back in stock after payment (a cancel, or a refund that chose them):
     * never more than were ordered, each unit once.
     */
    restockedQuantity: integer('restocked_quantity').notNull().default(0),
  },
  (t) => [
    index('order_lines_order_idx').on(t.orderId, t.position),
    index('order_lines_product_idx').on(t.productId),
    check('order_lines_quantity_check', sql`${t.quantity} > 0`),
    check(
      'order_lines_restocked_check',
      sql`${t.restockedQuantity} >= 0 and ${t.restockedQuantity} <= ${t.quantity}`,
    ),
  ],
);

/** Every status change of an order: who, when, from, to and why. */
export const orderHistory = pgTable(
  'order_history',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    fromStatus: text('from_status', { enum: orderStatuses }),
    toStatus: text('to_status', { enum: orderStatuses }).notNull(),
    actorId: text('actor_id'),
    actorRole: text('actor_role'),
    reason: text('reason'),
    createdAt: createdAt(),
  },
  (t) => [index('order_history_order_idx').on(t.orderId, t.seq)],
);
