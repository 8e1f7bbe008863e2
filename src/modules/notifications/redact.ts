/**
 * Credential emails (verification, password reset) carry a live token: whoever reads the link
 * can act as the account. So do a guest order's emails: their links carry the order's token,
 * which opens it. The admin email view shows them with the token replaced, so reading the log
 * never hands anyone another account's credentials, nor a guest's order.
 */
export const REDACTED = '[redacted]';

/** An emailed user token as `user-token.ts` makes it: `tok_<ULID>.<HMAC-SHA256, base64url>`. */
const USER_TOKEN = /tok_[0-9a-z]{26}\.[A-Za-z0-9_-]{43}/g;
/** A guest order's token as `guest-token.ts` makes it: `ogt_<HMAC-SHA256, base64url>`. */
const GUEST_ORDER_TOKEN = /ogt_[A-Za-z0-9_-]{43}/g;
/**
 * Any `token` query or fragment parameter, as text or as HTML escapes it (`=` becomes `&#x3D;`
 * in a Handlebars `{{link}}`), so a shop's own template that words the link differently is
 * covered.
 */
const TOKEN_PARAMETER = /([?&#](?:amp;)?token(?:=|&#x3D;|&#61;|%3D))[^&\s"'<>]+/gi;

export function redactCredentials(text: string): string {
  return text
    .replace(USER_TOKEN, REDACTED)
    .replace(GUEST_ORDER_TOKEN, REDACTED)
    .replace(TOKEN_PARAMETER, `$1${REDACTED}`);
}
