import { bigint, text, timestamp } from 'drizzle-orm/pg-core';

/** Column helpers every table uses, so times and ids look the same everywhere. */
export const id = () => text('id').primaryKey();
export const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
export const createdAt = () => at('created_at').notNull().defaultNow();
export const updatedAt = () => at('updated_at').notNull().defaultNow();
/** Minor units, as bigint read into a JS number (exact below 2^53; amounts are validated far below). */
export const money = (name: string) => bigint(name, { mode: 'number' });
