import { z } from 'zod';
import { pageQuery } from '../../shared/pagination.js';
import { roles } from './user.table.js';

// Long passphrases are welcome; the cap only bounds the hashing work per request.
const password = z.string().min(8, 'must be at least 8 characters').max(256);
const email = z.string().trim().max(254).pipe(z.email());

export const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(roles),
    emailVerified: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: 'User' });

export const registerBody = z.strictObject({
  email,
  password,
  name: z.string().trim().min(1).max(100),
});

export const loginBody = z.strictObject({
  email: z.string().max(254),
  password: z.string().max(256),
});

/** Refresh and logout: the token may instead come from the refresh cookie (browser UI), so the body is optional. */
export const refreshBody = z
  .strictObject({ refreshToken: z.string().min(1).max(200).optional() })
  .nullish();

export const tokenPairSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int().describe('seconds until the access token expires'),
    user: userSchema,
  })
  .meta({ id: 'TokenPair' });

export const changePasswordBody = z.strictObject({
  currentPassword: z.string().max(256),
  newPassword: password,
});

export const setRoleBody = z.strictObject({ role: z.enum(roles) });

export const tokenBody = z.strictObject({ token: z.string().min(1).max(200) });

export const passwordResetRequestBody = z.strictObject({ email: z.string().max(254) });

export const passwordResetConfirmBody = z.strictObject({
  token: z.string().min(1).max(200),
  password,
});

export const usersQuery = z.strictObject({
  ...pageQuery,
  role: z.enum(roles).optional(),
  q: z.string().trim().min(1).max(254).optional().describe('part of the email or name'),
});
