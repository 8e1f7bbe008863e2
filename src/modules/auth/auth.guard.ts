import type { FastifyRequest } from 'fastify';
import { AppError } from '../../shared/errors.js';
import type { AccessTokens } from './access-token.js';
import type { Actor } from './auth.service.js';
import type { Role } from './user.table.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
}

/** OpenAPI security requirement for routes behind `requireRole`. */
export const bearerSecurity = [{ bearerAuth: [] }];

/**
 * An onRequest hook: a valid bearer token is required, still in force (its session not ended,
 * its account's token version and role unchanged: see `AccessTokens.authenticate`) and, when
 * roles are named, the role must be one of them. No token, a bad or revoked one is 401; a
 * wrong role is 403.
 */
export function requireRole(
  tokens: AccessTokens,
  ...roles: Role[]
): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new AppError('UNAUTHENTICATED', 'A bearer token is required');
    const claims = await tokens.authenticate(match[1]!);
    if (roles.length > 0 && !roles.includes(claims.role)) {
      throw new AppError('FORBIDDEN', 'Your role does not allow this');
    }
    request.actor = {
      userId: claims.sub,
      role: claims.role,
      sessionId: claims.sid,
      email: claims.email,
      name: claims.name,
    };
  };
}

/**
 * An onRequest hook for routes somebody not signed in may call too (guest checkout). With an
 * Authorization header it is `requireRole` exactly: a bad, expired or revoked token is 401,
 * never a guest. Without one, the request goes on with no actor when `guestAllowed` says so,
 * and is 401 as `requireRole` would answer otherwise.
 */
export function requireRoleOrGuest(
  tokens: AccessTokens,
  guestAllowed: (request: FastifyRequest) => boolean,
): (request: FastifyRequest) => Promise<void> {
  const signedIn = requireRole(tokens);
  return async (request) => {
    if (request.headers.authorization === undefined && guestAllowed(request)) return;
    await signedIn(request);
  };
}

/** The authenticated actor; only for routes behind `requireRole`. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('UNAUTHENTICATED', 'A bearer token is required');
  return request.actor;
}
