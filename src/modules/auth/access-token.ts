import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import { AppError } from '../../shared/errors.js';
import type { Clock } from '../../shared/clock.js';
import type { SessionCheck } from './session-check.js';
import type { Role } from './user.table.js';

const ISSUER = 'ordo';
const AUDIENCE = 'ordo-api';

export interface AccessClaims {
  /** The user id. */
  sub: string;
  role: Role;
  /** The session (refresh-token family) the token was issued for. */
  sid: string;
  /** The account's token version when the token was issued (`users.token_version`). */
  ver: number;
}

/**
 * Short-lived JWT access tokens: HS256 only (the verifier refuses every other algorithm,
 * `none` included), issuer, audience and expiry checked against the clock module. The session
 * check is given when the context is built, so every holder of the context (routes, jobs, CLI
 * commands) checks tokens and forgets ended sessions through it, with nothing to bind first.
 */
export class AccessTokens {
  readonly ttlSeconds: number;

  constructor(
    private readonly secret: string,
    ttlMs: number,
    private readonly clock: Clock,
    /** Where tokens are checked against the database, and sessions forgotten when they end. */
    readonly sessions: SessionCheck,
  ) {
    this.ttlSeconds = Math.floor(ttlMs / 1000);
  }

  sign(claims: AccessClaims): string {
    const signer = createSigner({
      key: this.secret,
      algorithm: 'HS256',
      iss: ISSUER,
      aud: AUDIENCE,
      expiresIn: this.ttlSeconds * 1000,
      clockTimestamp: this.clock.now().getTime(),
    });
    return signer({ sub: claims.sub, role: claims.role, sid: claims.sid, ver: claims.ver });
  }

  verify(token: string): AccessClaims {
    const verifier = createVerifier({
      key: this.secret,
      algorithms: ['HS256'],
      allowedIss: ISSUER,
      allowedAud: AUDIENCE,
      requiredClaims: ['exp', 'sub', 'role', 'sid', 'ver'],
      clockTimestamp: this.clock.now().getTime(),
      cache: false,
    });
    try {
      const payload = verifier(token) as Partial<AccessClaims>;
      if (
        typeof payload.sub !== 'string' ||
        typeof payload.sid !== 'string' ||
        !Number.isSafeInteger(payload.ver)
      ) {
        throw new AppError('UNAUTHENTICATED', 'Malformed access token');
      }
      return {
        sub: payload.sub,
        role: payload.role as Role,
        sid: payload.sid,
        ver: payload.ver as number,
      };
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof TokenError && error.code === TokenError.codes.expired) {
        throw new AppError('TOKEN_EXPIRED', 'The access token has expired; refresh it');
      }
      throw new AppError('UNAUTHENTICATED', 'Invalid access token');
    }
  }

  /**
   * Verifies a token and that it is still in force: the account exists with the token's role
   * and token version, and the session has not ended (logout, password change or reset, role
   * change, deletion). Answers the claims with the account's email, which the check read
   * anyway.
   */
  async authenticate(token: string): Promise<AccessClaims & { email: string; name: string }> {
    const claims = this.verify(token);
    const state = await this.sessions.state(claims.sub, claims.sid);
    if (state.role === undefined) {
      throw new AppError('UNAUTHENTICATED', 'The account no longer exists');
    }
    if (!state.live || state.tokenVersion !== claims.ver || state.role !== claims.role) {
      throw new AppError('UNAUTHENTICATED', 'This session has ended; log in again');
    }
    return { ...claims, email: state.email!, name: state.name! };
  }
}
