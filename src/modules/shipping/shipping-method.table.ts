import { sql } from 'drizzle-orm';
import { boolean, check, index, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, id, money, updatedAt } from '../../db/columns.js';

/**
 * How the shop ships: a price, the countries a method serves (none listed: everywhere) and
 * an optional subtotal (after discount) from which it is free. With no method at all, the
 * flat-rate settings act as one method, Standard (shipping.service.ts).
 */
export const shippingMethods = pgTable(
  'shipping_methods',
  {
    id: id(),
    name: text('name').notNull(),
    /** ISO 3166-1 alpha-2 codes; empty: every country. */
    countries: text('countries')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    price: money('price').notNull(),
    freeOver: money('free_over'),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('shipping_methods_active_idx').on(t.active),
    check(
      'shipping_methods_amounts_check',
      sql`${t.price} >= 0 and (${t.freeOver} is null or ${t.freeOver} >= 0)`,
    ),
  ],
);
