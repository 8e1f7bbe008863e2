import { describe, expect, it } from 'vitest';
import { passwordChangeSchema, registerSchema, resetSchema } from './account-forms';

const messages = (result: { error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

describe('the account forms hold the server’s limits', () => {
  const valid = { name: 'Ada', email: 'ada@example.com', password: 'correct horse' };

  it('refuses a name over 100 characters at registration, as the server does', () => {
    expect(registerSchema.safeParse(valid).success).toBe(true);
    expect(messages(registerSchema.safeParse({ ...valid, name: 'n'.repeat(150) }))).toEqual([
      'name: At most 100 characters',
    ]);
  });

  it('takes a password of up to 256 characters and refuses one of 257 or under 8', () => {
    expect(registerSchema.safeParse({ ...valid, password: 'p'.repeat(256) }).success).toBe(true);
    expect(messages(registerSchema.safeParse({ ...valid, password: 'p'.repeat(257) }))).toEqual([
      'password: At most 256 characters',
    ]);
    expect(messages(resetSchema.safeParse({ password: 'short', confirm: 'short' }))).toEqual([
      'password: At least 8 characters',
    ]);
  });

  it('says when the repeated password differs', () => {
    const change = { currentPassword: 'old', newPassword: 'new password', confirm: 'other' };
    expect(messages(passwordChangeSchema.safeParse(change))).toEqual([
      'confirm: The passwords differ',
    ]);
  });
});
