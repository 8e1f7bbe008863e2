import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import { AppError } from '../../shared/errors.js';
import type { Clock } from '../../shared/clock.js';
import type { Role } from './user.table.js';

const ISSUER = 'ordo';
const AUDIENCE = 'ordo-api';

export interface AccessClaims {
  /** The user id. */
  sub: string;
  role: Role;
  /** The session (refresh-token family) the token was issued for. */
  sid: string;
}

/**
 * Short-lived JWT access tokens: HS256 only (the verifier refuses every other algorithm,
 * `none` included), issuer, audience and expiry checked against the clock module.
 */
export class AccessTokens {
  readonly ttlSeconds: number;

  constructor(
    private readonly secret: string,
    ttlMs: number,
    private readonly clock: Clock,
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
    return signer({ sub: claims.sub, role: claims.role, sid: claims.sid });
  }

  verify(token: string): AccessClaims {
    const verifier = createVerifier({
      key: this.secret,
      algorithms: ['HS256'],
      allowedIss: ISSUER,
      allowedAud: AUDIENCE,
      requiredClaims: ['exp', 'sub', 'role', 'sid'],
      clockTimestamp: this.clock.now().getTime(),
      cache: false,
    });
    try {
      const payload = verifier(token) as Partial<AccessClaims>;
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') {
        throw new AppError('UNAUTHENTICATED', 'Malformed access token');
      }
      return { sub: payload.sub, role: payload.role as Role, sid: payload.sid };
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof TokenError && error.code === TokenError.codes.expired) {
        throw new AppError('TOKEN_EXPIRED', 'The access token has expired; refresh it');
      }
      throw new AppError('UNAUTHENTICATED', 'Invalid access token');
    }
  }
}
