import type { Actor } from './auth.service.js';

/**
 * Ordo itself, acting on its own behalf: settling payments, the expiry sweep, automatic
 * refunds, seeding the catalog. Code writes it this one way; each table stores it as it always
 * has (order history: no actor id, role `system`; refunds: no actor id or role; stock
 * movements: actor id `system`), which the API shows unchanged.
 */
export const SYSTEM_ACTOR = 'system' as const;
export type SystemActor = typeof SYSTEM_ACTOR;

/** Who does something: an account (its id and role), or Ordo itself. */
export type ActorOrSystem = Pick<Actor, 'userId' | 'role'> | SystemActor;

/** The actor id a ledger line records (stock movements): the account's, or `system`. */
export const actorIdOf = (actor: ActorOrSystem): string =>
  actor === SYSTEM_ACTOR ? SYSTEM_ACTOR : actor.userId;

/**
 * The actor id a ledger line records for a guest (somebody not signed in, acting on the order
 * whose token they hold): stock a guest's order reserves or releases.
 */
export const GUEST_ACTOR = 'guest' as const;
