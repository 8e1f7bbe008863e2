import type { Config } from '../../config.js';

/**
 * The browser UI keeps its refresh token in this cookie, where no script can read it. Only the
 * auth routes see it (Path), and SameSite=Strict keeps other sites from making a browser send it.
 */
export const REFRESH_COOKIE = 'ordo_refresh';
const PATH = '/api/v1/auth';

type CookieConfig = Pick<Config, 'publicUrl' | 'refreshTokenTtlMs'>;

function attributes(config: CookieConfig, maxAgeSeconds: number): string {
  const secure = config.publicUrl.startsWith('https:') ? '; Secure' : '';
  return `; Max-Age=${maxAgeSeconds}; Path=${PATH}; HttpOnly; SameSite=Strict${secure}`;
}

/** The Set-Cookie value that hands the browser a refresh token for as long as the token lives. */
export function refreshCookie(config: CookieConfig, token: string): string {
  const maxAge = Math.floor(config.refreshTokenTtlMs / 1000);
  return `${REFRESH_COOKIE}=${encodeURIComponent(token)}${attributes(config, maxAge)}`;
}

/** The Set-Cookie value that makes the browser forget the refresh token. */
export function clearedRefreshCookie(config: CookieConfig): string {
  return `${REFRESH_COOKIE}=${attributes(config, 0)}; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
}

/** The refresh token from a Cookie header, or undefined. A malformed value counts as none. */
export function readRefreshCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== REFRESH_COOKIE) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1);
    }
    try {
      value = decodeURIComponent(value);
    } catch {
      return undefined;
    }
    // The same bounds as the body field: an empty or oversized value is no token.
    return value.length > 0 && value.length <= 200 ? value : undefined;
  }
  return undefined;
}
