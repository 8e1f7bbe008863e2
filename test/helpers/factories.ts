import { register, type User } from '../../src/modules/auth/auth.service.js';
import { SYSTEM_ACTOR } from '../../src/modules/auth/system-actor.js';
import type { Role } from '../../src/modules/auth/user.table.js';
import * as users from '../../src/modules/auth/user.repository.js';
import {
  createProduct as create,
  type AdminProduct,
} from '../../src/modules/catalog/catalog.service.js';
import type { TestApp } from './test-app.js';

let sequence = 0;
const unique = () => `${Date.now().toString(36)}${(++sequence).toString(36)}`;

export interface TestUser {
  user: User;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
}

/** Creates an account with the given role and logs it in over HTTP. */
export async function createUser(
  t: TestApp,
  options: { role?: Role; email?: string; password?: string; name?: string } = {},
): Promise<TestUser> {
  const email = options.email ?? `user-${unique()}@example.test`;
  const password = options.password ?? 'correct horse battery staple';
  const user = await register(t.ctx, { email, password, name: options.name ?? 'Test User' });
  if (options.role && options.role !== 'customer') {
    await users.updateUser(t.ctx.db, user.id, { role: options.role }, new Date());
  }
  const login = await t.http.post('/api/v1/auth/login', { email, password });
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  return {
    user: login.body.user,
    email,
    password,
    token: login.body.accessToken,
    refreshToken: login.body.refreshToken,
  };
}

export const createAdmin = (t: TestApp) => createUser(t, { role: 'admin' });

export async function createProduct(
  t: TestApp,
  overrides: Partial<{
    sku: string;
    name: string;
    description: string;
    price: number;
    stock: number;
    active: boolean;
  }> = {},
): Promise<AdminProduct> {
  return create(t.ctx, SYSTEM_ACTOR, {
    sku: overrides.sku ?? `SKU-${unique()}`,
    name: overrides.name ?? 'Test Product',
    description: overrides.description ?? 'A product made by a test',
    price: overrides.price ?? 1999,
    stock: overrides.stock ?? 10,
    active: overrides.active ?? true,
  });
}
