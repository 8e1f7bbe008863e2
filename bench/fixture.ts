import { type ApiClient, between, mapLimit, pick, randomSecret, runCli } from './lib.js';

/** What the scenarios work with: everything created through Ordo's own CLI and HTTP API. */
export interface Fixture {
  baseUrl: string;
  adminToken: string;
  products: { id: string; sku: string; name: string; price: number }[];
  customers: { id: string; email: string; accessToken: string }[];
  /** Words that occur in product names, for catalog searches that find something. */
  searchTerms: string[];
}

export interface FixtureOptions {
  products: number;
  customers: number;
  /** Opening stock of every product: large enough that no order runs out during a run. */
  stock: number;
  /** Registrations and logins in flight at once (each hashes a password with argon2). */
  concurrency: number;
  /**
   * An admin created beforehand (`ordo create-admin` while no server held the embedded
   * database); without it the fixture creates one through the CLI.
   */
  admin?: { email: string; password: string };
}

/** Credentials for a bench admin, for `ordo create-admin`. */
export function benchAdmin(): { email: string; password: string } {
  const runId = randomSecret(6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x');
  return { email: `admin-${runId}@bench.example`, password: randomSecret(24) };
}

export const createAdmin = (
  admin: { email: string; password: string },
  env: Record<string, string>,
) =>
  runCli(
    // `--password=…`: a random password may start with '-', which would read as an option.
    ['create-admin', '--email', admin.email, `--password=${admin.password}`, '--name', 'Bench'],
    env,
  );

const MATERIALS = ['Oak', 'Walnut', 'Steel', 'Linen', 'Wool', 'Ceramic', 'Glass', 'Copper'];
const COLOURS = ['Red', 'Slate', 'Sand', 'Forest', 'Ink', 'Ivory', 'Amber', 'Teal'];
const THINGS = ['Mug', 'Lamp', 'Chair', 'Blanket', 'Bowl', 'Shelf', 'Clock', 'Vase', 'Desk'];

export async function createFixture(
  api: ApiClient,
  env: Record<string, string>,
  options: FixtureOptions,
): Promise<Fixture> {
  const runId = randomSecret(6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x');
  const admin = options.admin ?? benchAdmin();
  if (!options.admin) await createAdmin(admin, env);
  const { accessToken: adminToken } = await api.expect(200, 'POST', '/api/v1/auth/login', {
    body: admin,
  });

  const products = await mapLimit(
    Array.from({ length: options.products }, (_, i) => i),
    options.concurrency,
    async (i) => {
      const name = `${pick(COLOURS)} ${pick(MATERIALS)} ${pick(THINGS)} ${i + 1}`;
      const product = await api.expect(201, 'POST', '/api/v1/admin/products', {
        token: adminToken,
        body: {
          sku: `BENCH-${runId}-${String(i + 1).padStart(4, '0')}`,
          name,
          description: `A ${name.toLowerCase()} made for load tests.`,
          price: between(99, 25_000),
          stock: options.stock,
        },
      });
      return { id: product.id, sku: product.sku, name: product.name, price: product.price };
    },
  );

  const customers = await mapLimit(
    Array.from({ length: options.customers }, (_, i) => i),
    options.concurrency,
    async (i) => {
      const credentials = {
        email: `customer-${runId}-${i + 1}@bench.example`,
        password: randomSecret(16),
      };
      const user = await api.expect(201, 'POST', '/api/v1/auth/register', {
        body: { ...credentials, name: `Customer ${i + 1}` },
      });
      const { accessToken } = await api.expect(200, 'POST', '/api/v1/auth/login', {
        body: credentials,
      });
      return { id: user.id, email: user.email, accessToken };
    },
  );

  const searchTerms = [...MATERIALS, ...COLOURS, ...THINGS].map((w) => w.toLowerCase());
  return { baseUrl: api.baseUrl, adminToken, products, customers, searchTerms };
}
