import { z } from 'zod';

/**
 * An ISO 8601 instant with an offset, between 1970 and 9999 (UTC). Outside that, PostgreSQL
 * refuses some years (there is no year 0) and JavaScript's Date parser maps years below 100
 * into the 1900s, so such values would fail or come back shifted.
 */
export const isoInstant = z.iso.datetime({ offset: true }).refine((value) => {
  const year = new Date(value).getUTCFullYear();
  return year >= 1970 && year <= 9999;
}, 'must be between 1970 and 9999');
