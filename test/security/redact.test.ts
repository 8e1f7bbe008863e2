import { describe, expect, it } from 'vitest';
import { newId, newSecret } from '../../src/shared/ids.js';
import { REDACTED, redactCredentials } from '../../src/modules/notifications/redact.js';

// A token shaped as user-token.ts makes it: `tok_<ULID>.<43 base64url characters>`.
const token = () => `${newId('tok')}.${newSecret(32)}`;

describe('redactCredentials', () => {
  it('removes the token from a link in text, and from the link as Handlebars escapes it in HTML', () => {
    const secret = token();
    const text = `Open https://shop.test/reset-password?token=${secret} within 60 minutes.`;
    const html = `<a href="https://shop.test/reset-password?token&#x3D;${secret}">Reset</a> ${secret}`;
    expect(redactCredentials(text)).toBe(
      `Open https://shop.test/reset-password?token=${REDACTED} within 60 minutes.`,
    );
    expect(redactCredentials(html)).not.toContain(secret);
    expect(redactCredentials(html)).toContain(REDACTED);
  });

  it('removes a bare token, and any token parameter a shop template might word differently', () => {
    const secret = token();
    expect(redactCredentials(`Your code: ${secret}.`)).toBe(`Your code: ${REDACTED}.`);
    for (const link of [
      'https://shop.test/verify?lang=en&token=abc123',
      'https://shop.test/verify?lang=en&amp;token=abc123',
      'https://shop.test/verify?token%3Dabc123',
      'https://shop.test/verify?TOKEN=abc123',
    ]) {
      expect(redactCredentials(link)).not.toContain('abc123');
    }
  });

  it('leaves an email without credentials as it is', () => {
    const text = 'Order 1042 is on its way: https://shop.test/orders/ord_123 (tracking 1Z999).';
    expect(redactCredentials(text)).toBe(text);
    expect(redactCredentials(redactCredentials(`?token=${token()}`))).toBe(`?token=${REDACTED}`);
  });
});
