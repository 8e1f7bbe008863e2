import { randomBytes, randomFillSync } from 'node:crypto';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Random bytes drawn from the OS a page at a time, as `crypto.randomUUID` does: every request
 * takes an id (its request id), and asking the OS for 10 bytes each time cost several
 * microseconds a request. Each byte is handed out once.
 */
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomFromPool(size: number): Buffer {
  if (poolOffset + size > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + size);
  poolOffset += size;
  return bytes;
}

/**
 * Opaque, time-ordered ids: a type prefix and a ULID (48-bit millisecond time, 80 random
 * bits, Crockford base32). Time order keeps inserts at the end of the primary-key index;
 * the prefix tells a support engineer what an id names (`prd_…`, `usr_…`).
 */
export function newId(prefix: string, now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomFromPool(10);
  let random = '';
  // 80 bits -> 16 base32 characters, 5 bits at a time.
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      random += CROCKFORD[(buffer >> (bits - 5)) & 31]!;
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return `${prefix}_${time}${random}`;
}

/** A random secret for tokens, URL-safe. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Random hex from the pool, for what must be unique but guards nothing (a MIME boundary):
 * never for a secret, whose bytes should come from the OS alone (newSecret).
 */
export function uniqueHex(bytes = 8): string {
  return randomFromPool(bytes).toString('hex');
}
