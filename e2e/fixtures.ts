import { AxeBuilder } from '@axe-core/playwright';

type AxePage = ConstructorParameters<typeof AxeBuilder>[0]['page'];
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { E2E_ADMIN } from './global-setup.js';

export { expect };

export const SCREENSHOTS = 'test-results/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

export interface Customer {
  email: string;
  password: string;
  name: string;
}

let counter = 0;
export function newCustomer(): Customer {
  counter += 1;
  const id = `${Date.now().toString(36)}${counter}`;
  return {
    email: `customer-${id}@e2e.ordo.test`,
    password: 'customer-password-1',
    name: `Casey ${id}`,
  };
}

interface Fixtures {
  /** Console errors and page errors seen during the test; the test fails if any remain. */
  consoleErrors: string[];
  /** An API client logged in as the e2e admin. */
  adminApi: AdminApi;
}

export class AdminApi {
  constructor(
    private readonly request: APIRequestContext,
    private readonly token: string,
  ) {}

  async post<T>(path: string, body: unknown): Promise<T> {
    const response = await this.request.post(path, {
      data: body,
      headers: { authorization: `Bearer ${this.token}` },
    });
    if (!response.ok()) throw new Error(`${path}: ${response.status()} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async get<T>(path: string): Promise<T> {
    const response = await this.request.get(path, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    if (!response.ok()) throw new Error(`${path}: ${response.status()} ${await response.text()}`);
    return (await response.json()) as T;
  }
}

export const test = base.extend<Fixtures>({
  // The server's address is known only once global-setup has started it.
  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern.
  baseURL: async ({}, use) => {
    const url = process.env.ORDO_E2E_URL;
    if (!url) throw new Error('ORDO_E2E_URL is not set: run through `npm run test:e2e`');
    await use(url);
  },
  // Every test: console errors and page errors fail it (auto fixture).
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      await use(errors);
      // 4xx answers the UI handles (a declined payment, a refused page) are logged by the
      // browser as failed resources; they are expected. Anything else is a defect.
      const unexpected = errors.filter(
        (text) =>
          !/Failed to load resource: the server responded with a status of 4\d\d/.test(text),
      );
      expect(unexpected, 'console errors').toEqual([]);
    },
    { auto: true },
  ],
  adminApi: async ({ playwright, baseURL }, use) => {
    const request = await playwright.request.newContext({ baseURL });
    const login = await request.post('/api/v1/auth/login', { data: E2E_ADMIN });
    expect(login.ok()).toBe(true);
    const { accessToken } = (await login.json()) as { accessToken: string };
    await use(new AdminApi(request, accessToken));
    await request.dispose();
  },
});

/** Screenshots of the page at phone and desktop widths, into test-results/screenshots/. */
export async function screenshots(page: Page, name: string): Promise<void> {
  const original = page.viewportSize();
  for (const [label, size] of [
    ['phone', { width: 390, height: 844 }],
    ['desktop', { width: 1280, height: 800 }],
  ] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `${SCREENSHOTS}/${name}-${label}.png`, fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}

/** axe-core: no serious or critical accessibility violations on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  // @axe-core/playwright types its Page from the top-level playwright-core, @playwright/test
  // from its own copy: the same class, two declarations.
  const results = await new AxeBuilder({ page: page as unknown as AxePage }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact}: ${v.id} (${v.help}) on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  expect(bad, 'serious or critical accessibility violations').toEqual([]);
}

export async function register(page: Page, customer: Customer): Promise<void> {
  await page.goto('/register');
  await page.getByLabel('Name').fill(customer.name);
  await page.getByLabel('Email').fill(customer.email);
  await page.getByLabel('Password').fill(customer.password);
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
}
