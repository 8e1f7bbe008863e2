import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A guest order's token: the secret that opens that one order (`X-Order-Token`), to whoever
 * holds it, without an account. It is an HMAC of the order id under the server secret, so it
 * cannot be forged or guessed from the id, and the emails of the order can carry it without
 * Ordo storing it: the order keeps only its SHA-256 (`orders.guest_token_hash`), and a token
 * is checked by comparing hashes in constant time. Rotating the server secret (JWT_SECRET)
 * makes later emails carry tokens that no longer open their orders; the tokens already sent
 * keep working (their hashes are stored).
 */
export const GUEST_TOKEN_PREFIX = 'ogt_';

/** The token of a guest's order, as placing it answers and its emails link it. */
export const guestOrderToken = (secret: string, orderId: string): string =>
  GUEST_TOKEN_PREFIX +
  createHmac('sha256', secret).update(`ordo-guest-order:${orderId}`).digest('base64url');

/** What an order stores of its token. */
export const guestTokenHash = (token: string): string =>
  createHash('sha256').update(token).digest('hex');

/**
 * Whether `token` opens an order whose token hash is `stored`: hashes compared in constant
 * time, so the time taken says nothing of how close a guess came. No token, or an order
 * without one (placed signed in), opens nothing.
 */
export function tokenOpens(token: string | undefined, stored: string | null): boolean {
  if (token === undefined || stored === null) return false;
  const given = createHash('sha256').update(token).digest();
  const expected = Buffer.from(stored, 'hex');
  return expected.length === given.length && timingSafeEqual(given, expected);
}
