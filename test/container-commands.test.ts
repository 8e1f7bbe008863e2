import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { cliEnv, repoRoot, waitForReady, type OrdoProcess } from './helpers/cli.js';
import { withDatabase } from './helpers/global-setup.js';
import { TestSmtpServer } from './helpers/smtp.js';
import { freePort, waitFor } from './helpers/wait.js';
import { HttpClient } from './helpers/test-app.js';

// The Dockerfile and compose.yaml, checked without a Docker engine: their structure is read and
// checked here, and the image's exact commands run outside a container with the environment
// compose gives each service (compose's host names mapped to loopback ports, a fresh database,
// a real SMTP server in Mailpit's place), from a folder laid out like the image's WORKDIR.
// The scale-out commands need PostgreSQL, so this file runs only when DATABASE_URL is set.
// It runs the build (`node dist/main.js`), as the image does: `npm ci` or `npm run build` first.
const onPostgres = Boolean(process.env.DATABASE_URL);

// ---- reading the Dockerfile ----

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions by stage, continuation lines joined and comments dropped, as Docker reads them. */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && !pending)) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (!full) continue;
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(full) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === 'FROM') {
      const [from = '', , name] = args.split(/\s+/);
      stages.push({ from, name, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

const all = (stage: Stage, keyword: string) =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const last = (stage: Stage, keyword: string) => all(stage, keyword).at(-1);

/** `ENV A=1 B=2` → { A: '1', B: '2' } over every ENV of the stage. */
function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of all(stage, 'ENV')) {
    for (const [, name = '', value = ''] of args.matchAll(
      /([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g,
    ))
      env[name] = value.replace(/^"(.*)"$/, '$1');
  }
  return env;
}

/** An instruction's exec form (`["a", "b"]`) as an argv; the shell form is refused. */
function execForm(args: string): string[] {
  expect(args.startsWith('['), `exec form expected: ${args}`).toBe(true);
  return JSON.parse(args) as string[];
}

// ---- reading compose.yaml ----

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  restart?: string;
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Compose's variable interpolation: `${X}`, `${X:-default}`, `${X:?error}`, `$$`. */
function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g,
    (match, name: string | undefined, op: string | undefined, word: string | undefined) => {
      if (match === '$$') return '$';
      const given = vars[name!];
      const unset = op?.startsWith(':') ? !given : given === undefined;
      if (!unset) return given!;
      if (op?.endsWith('?')) throw new Error(`compose refuses: ${word}`);
      return op ? word! : '';
    },
  );
}

/** The variable names `src/config.ts` declares in its environment schema. */
async function configVariables(): Promise<Set<string>> {
  const source = await readFile(join(repoRoot, 'src/config.ts'), 'utf8');
  const start = source.indexOf('const envSchema = z.object({');
  const end = source.indexOf('\n});', start);
  expect(start, 'envSchema in src/config.ts').toBeGreaterThan(-1);
  return new Set(
    [...source.slice(start, end).matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!),
  );
}

// ---- running the image's commands ----

const ordoServices = (compose: Compose) =>
  Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

/** Newest modification time of any file under `dir`. */
async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

describe('the container image and compose.yaml', () => {
  let dockerfile: Stage[];
  let runtime: Stage;
  let compose: Compose;
  let ignored: string[];
  /** The image's WORKDIR, rebuilt from the runtime stage's COPY lines. */
  let workdir: string;
  let dataDir: string;
  let databaseUrl: string;
  let smtp: TestSmtpServer;
  /** service → port it listens on inside its container → the loopback port standing in for it. */
  const listening: Record<string, Record<number, number>> = {};
  const started: OrdoProcess[] = [];
  const processes: Record<string, OrdoProcess> = {};
  const jwtSecret = 'container-test-secret-0123456789abcdef0123456789';

  beforeAll(async () => {
    const main = join(repoRoot, 'dist/main.js');
    if (!existsSync(main)) throw new Error('dist/main.js is missing: run `npm run build` first');
    if ((await stat(main)).mtimeMs < (await newestMtime(join(repoRoot, 'src')))) {
      throw new Error('dist/ is older than src/: run `npm run build` first');
    }
    dockerfile = parseDockerfile(await readFile(join(repoRoot, 'Dockerfile'), 'utf8'));
    runtime = dockerfile.at(-1)!;
    compose = parseYaml(await readFile(join(repoRoot, 'compose.yaml'), 'utf8'), {
      merge: true,
    }) as Compose;
    ignored = (await readFile(join(repoRoot, '.dockerignore'), 'utf8'))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));

    workdir = await mkdtemp(join(tmpdir(), 'ordo-image-'));
    dataDir = join(workdir, 'data');
    await mkdir(dataDir);
    const buildDir = last(dockerfile[0]!, 'WORKDIR')!;
    for (const args of all(runtime, 'COPY')) {
      const [, from, source = '', target = ''] = /^--from=(\S+)\s+(\S+)\s+(\S+)$/.exec(args) ?? [];
      expect(from, `runtime COPY takes from the build stage: ${args}`).toBe(dockerfile[0]!.name);
      const inRepo = join(repoRoot, relative(buildDir, source));
      // Docker's rule: a target ending in / is a folder the source goes into.
      const inImage = join(workdir, target, target.endsWith('/') ? basename(source) : '');
      // The image holds the pruned node_modules; the repo's (with dev dependencies) stands in,
      // and "imports only production dependencies" below checks the difference.
      if (source.endsWith('/node_modules')) await symlink(inRepo, inImage, 'dir');
      else await cp(inRepo, inImage, { recursive: true });
    }
  });

  afterAll(async () => {
    for (const ordo of started) ordo.child.kill('SIGKILL');
    await Promise.allSettled(started.map((ordo) => ordo.exited));
    if (workdir) await rm(workdir, { recursive: true, force: true });
  });

  /** The image's ENTRYPOINT + a command, as an argv for this machine: tini is PID 1's job. */
  function imageArgv(command: string[]): string[] {
    const entrypoint = execForm(last(runtime, 'ENTRYPOINT')!);
    expect(entrypoint.slice(0, 2)).toEqual(['tini', '--']);
    const [node, ...args] = entrypoint.slice(2);
    expect(node).toBe('node');
    return [...args, ...command];
  }

  function spawnInImage(argv: string[], env: Record<string, string>): OrdoProcess {
    const child = spawn(process.execPath, argv, {
      cwd: workdir,
      env: cliEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const ordo: OrdoProcess = {
      child,
      get stdout() {
        return stdout;
      },
      get stderr() {
        return stderr;
      },
      exited: new Promise((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (code, signal) => resolve({ code, signal }));
      }),
    };
    started.push(ordo);
    return ordo;
  }

  async function run(argv: string[], env: Record<string, string>) {
    const ordo = spawnInImage(argv, env);
    const exit = await ordo.exited;
    return { ...exit, output: ordo.stderr + ordo.stdout };
  }

  /**
   * A compose value with compose's host names mapped to this machine. `self` is the service a
   * command runs in (a healthcheck): its 127.0.0.1 is that container's own loopback.
   */
  function toLoopback(value: string, self?: string): string {
    return value.replace(
      /\b([a-z][a-z0-9+.-]*):\/\/(?:[^@/\s]*@)?([a-z0-9.-]+):(\d+)(\S*)/g,
      (match, scheme: string, host: string, port: string, rest: string) => {
        const local = host === '127.0.0.1' || host === 'localhost';
        if (local && !self) return match; // a link for people on the host (PUBLIC_URL)
        const service = local ? self! : host;
        if (service === 'postgres') return databaseUrl;
        if (service === 'redis') {
          // A logical database of its own: the suite's other apps share the server's rate-limit
          // counters per client address, and these processes keep compose's default limits.
          const redis = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
          redis.pathname = '/13';
          return redis.toString();
        }
        if (service === 'mailpit') return smtp.url;
        const mapped = listening[service]?.[Number(port)];
        if (!mapped) throw new Error(`${match}: nothing listens on ${service}:${port}`);
        return `${scheme}://127.0.0.1:${mapped}${rest}`;
      },
    );
  }

  /** The image's ENV, then the service's compose environment, mapped to this machine. */
  function serviceEnv(service: string): Record<string, string> {
    const vars = { JWT_SECRET: jwtSecret };
    const env: Record<string, string> = { ...stageEnv(runtime) };
    for (const [key, value] of Object.entries(compose.services[service]!.environment ?? {}))
      env[key] = interpolate(String(value), vars);
    env.HOST = '127.0.0.1'; // 0.0.0.0 in the container; servers here listen on loopback only
    env.DATA_DIR = dataDir;
    for (const key of ['PORT', 'GATEWAY_PORT']) {
      const port = listening[service]?.[Number(env[key])];
      if (port) env[key] = String(port);
    }
    for (const key of Object.keys(env)) env[key] = toLoopback(env[key]!);
    return env;
  }

  it('the Dockerfile builds in one stage and runs from a slim, non-root node:24 stage (the production runtime) under tini', () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(2);
    for (const stage of dockerfile) expect(stage.from).toBe('node:24-bookworm-slim');
    const build = dockerfile[0]!;
    const buildRuns = all(build, 'RUN').join('\n');
    expect(buildRuns).toMatch(/\bnpm ci\b/);
    expect(buildRuns).toMatch(/\bnpm run build\b/);
    expect(buildRuns).toMatch(/\bnpm prune --omit=dev\b[^\n&]*--ignore-scripts/);
    expect(all(build, 'COPY')).toContain('. .');

    expect(all(runtime, 'RUN').join('\n')).toMatch(/apt-get install[^&]*\btini\b/);
    expect(last(runtime, 'USER')).toBeDefined();
    expect(['root', '0']).not.toContain(last(runtime, 'USER'));
    const env = stageEnv(runtime);
    expect(env).toMatchObject({ HOST: '0.0.0.0', NODE_ENV: 'production' });
    expect(execForm(last(runtime, 'VOLUME')!)).toContain(env.DATA_DIR);
    expect(last(runtime, 'EXPOSE')).toBe(env.PORT ?? '3000');
    expect(last(runtime, 'HEALTHCHECK')).toMatch(/--start-period=\d+s .*CMD \[/);
    expect(execForm(last(runtime, 'ENTRYPOINT')!)).toEqual(['tini', '--', 'node', 'dist/main.js']);
    expect(execForm(last(runtime, 'CMD')!)).toEqual(['serve']);
    // What the runtime copies exists in the build stage: built there, or let through .dockerignore.
    for (const args of all(runtime, 'COPY')) {
      const top = relative(last(build, 'WORKDIR')!, args.split(/\s+/)[1]!).split('/')[0]!;
      if (top !== 'dist' && top !== 'node_modules') expect(ignored).not.toContain(top);
    }
  });

  it('no production dependency needs an install script, which `npm ci --ignore-scripts` skips', async () => {
    const lock = JSON.parse(await readFile(join(repoRoot, 'package-lock.json'), 'utf8'));
    const entries = Object.entries(
      lock.packages as Record<string, { dev?: boolean; hasInstallScript?: boolean }>,
    );
    expect(entries.length).toBeGreaterThan(100);
    const scripted = entries
      .filter(([, entry]) => entry.hasInstallScript && !entry.dev)
      .map(([path]) => path);
    expect(scripted).toEqual([]);
  });

  it('the image imports only production dependencies, which `npm prune --omit=dev` keeps', async () => {
    const pkg = JSON.parse(await readFile(join(workdir, 'package.json'), 'utf8'));
    const production = new Set(Object.keys(pkg.dependencies));
    const imported = new Map<string, string>();
    for (const entry of await readdir(join(workdir, 'dist'), {
      withFileTypes: true,
      recursive: true,
    })) {
      const file = join(entry.parentPath, entry.name);
      // dist/ui is the browser bundle: Vite has already bundled what it imports.
      if (!entry.isFile() || !file.endsWith('.js') || file.includes('/dist/ui/')) continue;
      const source = await readFile(file, 'utf8');
      for (const [, specifier = ''] of source.matchAll(
        // `import` or `export` as a keyword (followed by a space, `(`, `{` or `*`), not a word
        // in a comment such as "the import's own scope".
        /(?:^|[\s;])(?:import|export)(?=[\s({*])\s*(?:[^'";]*?\sfrom\s*)?\(?\s*['"]([^'"]+)['"]/gm,
      )) {
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : specifier.split('/')[0]!;
        imported.set(name, relative(workdir, file));
      }
    }
    expect(imported.size).toBeGreaterThan(5);
    for (const [name, file] of imported)
      expect(production.has(name), `${file} imports ${name}, not a production dependency`).toBe(
        true,
      );
  });

  it('compose: every Ordo service runs a real CLI command with only variables src/config.ts reads', async () => {
    const help = await run(imageArgv(['help']), {});
    expect(help.code).toBe(0);
    const commands = new Set(
      [...help.output.split('Commands:')[1]!.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!),
    );
    expect(commands).toContain('migrate');
    const known = await configVariables();
    const services = ordoServices(compose);
    expect(services.map(([name]) => name).sort()).toEqual(
      ['api1', 'api2', 'gateway', 'migrate', 'worker'].sort(),
    );
    for (const [name, service] of services) {
      expect(commands, `${name}: ${service.command?.join(' ')}`).toContain(service.command?.[0]);
      for (const key of Object.keys(service.environment ?? {}))
        expect(known.has(key), `${name} sets ${key}, which src/config.ts does not read`).toBe(true);
      if (name !== 'migrate') {
        expect(service.depends_on?.migrate?.condition).toBe('service_completed_successfully');
        expect(service.restart).toBe('unless-stopped');
      }
    }
    expect(compose.services.migrate!.restart).toBe('no');
    // JWT_SECRET has no default: compose stops with the message unless it is set.
    expect(compose.services.api1!.environment!.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?.+\}$/);
    expect(() => interpolate(compose.services.api1!.environment!.JWT_SECRET!, {})).toThrow(
      /set JWT_SECRET/,
    );
    // The two API processes are published on distinct host ports.
    const published = ['api1', 'api2'].map((s) =>
      compose.services[s]!.ports![0]!.split(':').at(-2),
    );
    expect(new Set(published).size).toBe(2);
    // PostgreSQL and Redis: versions, healthchecks and named volumes.
    expect(compose.services.postgres!.image).toMatch(/^postgres:15\b/);
    expect(compose.services.redis!.image).toMatch(/^redis:7\b/);
    for (const store of ['postgres', 'redis']) {
      const service = compose.services[store]!;
      expect(service.healthcheck?.test?.[0]).toBe('CMD');
      const volume = service.volumes![0]!.split(':')[0]!;
      expect(Object.keys(compose.volumes ?? {})).toContain(volume);
    }
    expect(compose.services.mailpit!.image).toMatch(/^axllent\/mailpit:/);
    expect(compose.services.worker!.environment!.SMTP_URL).toBe('smtp://mailpit:1025');
  });

  describe.skipIf(!onPostgres)(
    'run outside a container, with the environment compose gives them',
    () => {
      beforeAll(async () => {
        const base = process.env.DATABASE_URL!;
        const name = `ordo_image_${inject('runId')}_${process.pid}`;
        const admin = new pg.Client({ connectionString: base });
        await admin.connect();
        try {
          await admin.query(`create database ${name}`);
        } finally {
          await admin.end();
        }
        databaseUrl = withDatabase(base, name);
        smtp = await new TestSmtpServer().start();

        // What each long-running service listens on in its container (the API's PORT, the gateway's
        // GATEWAY_PORT) gets a free loopback port, so the others' URLs to it can be mapped.
        for (const [name, service] of ordoServices(compose)) {
          const env = { ...stageEnv(runtime), ...service.environment };
          const ports = name.startsWith('api') ? [env.PORT] : [env.GATEWAY_PORT];
          for (const port of ports.filter(Boolean).map(Number))
            (listening[name] ??= {})[port] = await freePort();
        }
      });

      afterAll(async () => {
        for (const ordo of started) ordo.child.kill('SIGKILL');
        await Promise.allSettled(started.map((ordo) => ordo.exited));
        await smtp?.stop();
        if (databaseUrl) {
          const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
          await admin.connect();
          await admin.query(
            `drop database if exists ${new URL(databaseUrl).pathname.slice(1)} with (force)`,
          );
          await admin.end();
        }
      });

      it('migrate, the first command compose runs, exits 0 on an empty database', async () => {
        const result = await run(
          imageArgv(compose.services.migrate!.command!),
          serviceEnv('migrate'),
        );
        expect(result.code, result.output).toBe(0);
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          const { rows } = await client.query<{ schema: string }>(
            `select distinct table_schema as schema from information_schema.tables
         where table_name in ('orders', 'job', 'payment_intents')`,
          );
          expect(rows.map((r) => r.schema).sort()).toEqual(['gateway', 'pgboss', 'public']);
        } finally {
          await client.end();
        }
      }, 60_000);

      it('api1, api2, worker and gateway start with compose’s environment and pass their healthchecks', async () => {
        const names = ['gateway', 'api1', 'api2', 'worker'];
        const envs: Record<string, Record<string, string>> = {};
        for (const name of names) {
          envs[name] = serviceEnv(name);
          processes[name] = spawnInImage(imageArgv(compose.services[name]!.command!), envs[name]);
        }
        const api = (name: string) => `http://127.0.0.1:${envs[name]!.PORT}`;
        await Promise.all([
          waitForReady(processes.api1!, api('api1')),
          waitForReady(processes.api2!, api('api2')),
          waitFor(() => processes.worker!.stdout.includes('worker started'), {
            what: 'worker start',
            timeoutMs: 60_000,
          }),
        ]);
        for (const name of ['api1', 'api2']) {
          const res = await fetch(`${api(name)}/healthz`);
          expect(res.status).toBe(200);
          expect(await res.json()).toEqual({ status: 'ok' });
        }

        // The Dockerfile's HEALTHCHECK, run as Docker runs it: in the container, with its environment.
        const healthcheck = execForm(last(runtime, 'HEALTHCHECK')!.replace(/^.*?CMD\s+/, ''));
        expect(healthcheck[0]).toBe('node');
        for (const name of ['api1', 'api2']) {
          const check = await run(healthcheck.slice(1), envs[name]!);
          expect(check.code, check.output).toBe(0);
        }
        // ...and it fails where nothing answers, so a 0 means something.
        const nobody = await run(healthcheck.slice(1), {
          ...envs.api1!,
          PORT: String(await freePort()),
        });
        expect(nobody.code).toBe(1);
        expect(nobody.output).toMatch(/unhealthy: .*ECONNREFUSED/);

        // The gateway's own healthcheck from compose.yaml, its 127.0.0.1 being the gateway's.
        const gatewayCheck = compose.services.gateway!.healthcheck!.test!;
        expect(gatewayCheck.slice(0, 2)).toEqual(['CMD', 'node']);
        const gatewayArgs = gatewayCheck.slice(2).map((arg) => toLoopback(arg, 'gateway'));
        await waitFor(async () => (await run(gatewayArgs, envs.gateway!)).code === 0, {
          what: 'the gateway healthcheck to pass',
          timeoutMs: 60_000,
          intervalMs: 250,
        });
        expect(compose.services.worker!.healthcheck?.disable).toBe(true);
      }, 120_000);

      it('`docker compose run --rm api1 seed` fills the empty catalog, and both APIs serve it', async () => {
        const seeded = await run(imageArgv(['seed']), serviceEnv('api1'));
        expect(seeded.code, seeded.output).toBe(0);
        const count = Number(/created (\d+) demo products/.exec(seeded.output)?.[1]);
        expect(count).toBeGreaterThan(0);
        for (const name of ['api1', 'api2']) {
          const api = new HttpClient(`http://127.0.0.1:${listening[name]![3000]}`);
          const products = await api.get('/api/v1/products?pageSize=1');
          expect(products.status).toBe(200);
          expect(products.body.total).toBe(count);
        }
      }, 60_000);

      it('`docker compose run --rm api1 create-admin`, then an order placed on api2 is paid through the gateway and mailed by the worker', async () => {
        const env = serviceEnv('api1');
        const email = 'admin@shop.example';
        const password = 'container admin password';
        const created = await run(
          imageArgv(['create-admin', '--email', email, '--password', password]),
          env,
        );
        expect(created.code, created.output).toBe(0);
        expect(created.output).toContain(`created admin ${email}`);

        const api1 = new HttpClient(`http://127.0.0.1:${listening.api1![3000]}`);
        const api2 = new HttpClient(`http://127.0.0.1:${listening.api2![3000]}`);
        const adminLogin = await api1.post('/api/v1/auth/login', { email, password });
        expect(adminLogin.status).toBe(200);
        const product = await api1.post(
          '/api/v1/admin/products',
          {
            sku: 'BOX-1',
            name: 'Container',
            description: 'Holds things',
            price: 2500,
            stock: 3,
            active: true,
          },
          { token: adminLogin.body.accessToken },
        );
        expect(product.status, JSON.stringify(product.body)).toBe(201);

        const customer = {
          email: 'buyer@shop.example',
          password: 'buyer password 123',
          name: 'Buyer',
        };
        expect((await api2.post('/api/v1/auth/register', customer)).status).toBe(201);
        const login = await api2.post('/api/v1/auth/login', {
          email: customer.email,
          password: customer.password,
        });
        expect(login.status).toBe(200);
        const token = login.body.accessToken as string;
        const order = await api2.post(
          '/api/v1/orders',
          {
            items: [{ productId: product.body.id, quantity: 1 }],
            shippingAddress: {
              name: 'Buyer',
              line1: '1 Dock St',
              city: 'Hull',
              postalCode: 'HU1 1AA',
              country: 'GB',
            },
          },
          { token },
        );
        expect(order.status, JSON.stringify(order.body)).toBe(201);

        // api1 asks the gateway at GATEWAY_URL; the payment settles later, by the gateway's webhook
        // to PAYMENT_WEBHOOK_URL (api1), and api2 serves the paid order.
        const payment = await api1.post(
          `/api/v1/orders/${order.body.id}/payments`,
          { paymentMethod: 'pm_card_processing' },
          { token },
        );
        expect(payment.status, JSON.stringify(payment.body)).toBe(201);
        expect(payment.body.status).toBe('processing');
        await waitFor(
          async () =>
            (await api2.get(`/api/v1/orders/${order.body.id}`, { token })).body.status === 'paid',
          { what: 'the order paid by the webhook', timeoutMs: 30_000 },
        );
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          // Only a webhook the API accepted writes here: the gateway reached api1 at PAYMENT_WEBHOOK_URL.
          const { rows } = await client.query<{ n: number }>(
            `select count(*)::int as n from webhook_events where provider = 'builtin'`,
          );
          expect(rows[0]!.n).toBeGreaterThanOrEqual(1);
        } finally {
          await client.end();
        }

        // The worker sends through SMTP_URL (Mailpit in compose).
        const expected = [
          `Order ${order.body.number} received`,
          `Payment received for order ${order.body.number}`,
        ];
        await waitFor(
          () => {
            const subjects = smtp.to(customer.email).map((m) => m.subject);
            return expected.every((subject) => subjects.includes(subject));
          },
          { what: 'the confirmation and the receipt', timeoutMs: 60_000 },
        );
      }, 120_000);

      it('each long-running service exits 0 on SIGTERM', async () => {
        const names = Object.keys(processes);
        expect(names.sort()).toEqual(['api1', 'api2', 'gateway', 'worker']);
        for (const name of names) processes[name]!.child.kill('SIGTERM');
        for (const name of names) {
          const exit = await processes[name]!.exited;
          expect({ name, ...exit }, processes[name]!.stderr).toEqual({
            name,
            code: 0,
            signal: null,
          });
        }
      }, 60_000);
    },
  );
});
