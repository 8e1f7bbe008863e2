import { ilike, type Column, type SQL } from 'drizzle-orm';

/**
 * Case-insensitive "contains" on a text column, with LIKE's wildcards in the search text taken
 * literally (a customer searching for `50%` finds `50%`, not everything starting with 50).
 */
export function contains(column: Column, text: string): SQL {
  return ilike(column, `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}
