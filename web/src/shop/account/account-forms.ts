import { z } from 'zod';
import { bodyRules, serverText, type StringRule } from '../../api/field-rules';

// The server's limits for accounts, from its OpenAPI document: the forms re-declared them once
// and drifted (a name of 150 characters and a password of 220 passed here and were refused).
const register = bodyRules['/api/v1/auth/register'].post.properties;
const changePassword = bodyRules['/api/v1/me/password'].post.properties;
const reset = bodyRules['/api/v1/auth/password-reset/confirm'].post.properties;

const email = (rule: StringRule) =>
  z.email('Enter an email address').max(rule.maxLength ?? 254, 'That address is too long');

/** A new password: never trimmed (spaces are part of it), within the server's lengths. */
const newPassword = (rule: { minLength: number; maxLength: number }) =>
  z
    .string()
    .min(rule.minLength, `At least ${rule.minLength} characters`)
    .max(rule.maxLength, `At most ${rule.maxLength} characters`);

export const loginSchema = z.object({
  email: email(bodyRules['/api/v1/auth/login'].post.properties.email),
  password: z.string().min(1, 'Enter your password'),
});

export const registerSchema = z.object({
  name: serverText(register.name, { required: 'Enter your name' }),
  email: email(register.email),
  password: newPassword(register.password),
});

export const passwordChangeSchema = z
  .object({
    currentPassword: z.string().min(1, 'Enter your current password'),
    newPassword: newPassword(changePassword.newPassword),
    confirm: z.string(),
  })
  .refine((v) => v.newPassword === v.confirm, {
    path: ['confirm'],
    message: 'The passwords differ',
  });

export const resetRequestSchema = z.object({
  email: email(bodyRules['/api/v1/auth/password-reset/request'].post.properties.email),
});

export const resetSchema = z
  .object({ password: newPassword(reset.password), confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'The passwords differ' });
