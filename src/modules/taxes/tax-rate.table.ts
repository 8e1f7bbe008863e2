import { sql } from 'drizzle-orm';
import { boolean, check, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from '../../db/columns.js';

/**
 * The shop's tax rates, by destination: a country's, or a region's of it (which wins over its
 * country's). One rate per place.
 */
export const taxRates = pgTable(
  'tax_rates',
  {
    id: id(),
    name: text('name').notNull(),
    /** ISO 3166-1 alpha-2. */
    country: text('country').notNull(),
    /** ISO 3166-2 (`US-CA`), of `country`; null: the whole country. */
    region: text('region'),
    /** Thousandths of a percent (8.875 % = 8875). */
    rate: integer('rate').notNull(),
    /** Whether shipping is taxed at this rate too. */
    appliesToShipping: boolean('applies_to_shipping').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('tax_rates_place_key').on(t.country, sql`coalesce(${t.region}, '')`),
    check('tax_rates_rate_check', sql`${t.rate} between 0 and 100000`),
  ],
);
