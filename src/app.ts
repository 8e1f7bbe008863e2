import fastifyCors from '@fastify/cors';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { AppContext } from './app-context.js';
import { pingDatabase } from './db/client.js';
import { addressesRoutes } from './modules/addresses/addresses.routes.js';
import { adminRoutes } from './modules/admin/admin.routes.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { catalogRoutes } from './modules/catalog/catalog.routes.js';
import { notificationsRoutes } from './modules/notifications/notifications.routes.js';
import { ordersRoutes } from './modules/orders/orders.routes.js';
import { paymentsRoutes } from './modules/payments/payments.routes.js';
import { promotionsRoutes } from './modules/promotions/promotions.routes.js';
import { AppError } from './shared/errors.js';
import { newId } from './shared/ids.js';
import { httpSecurity } from './shared/http-security.js';
import { registerMetrics } from './shared/metrics.js';
import { resilientStore } from './shared/rate-limit-store.js';
import {
  clientErrorHandler,
  registerProblemHandler,
  rejectNul,
  sendProblem,
} from './shared/problem.js';
import { registerCompression } from './web/compression.js';
import { registerSecurityHeaders } from './web/security-headers.js';
import { webRoutes } from './web/web.routes.js';
import { z } from 'zod';

const REQUEST_ID = /^[\w.:-]{1,64}$/;

/** A dependency check answers within this, or counts as down (a dead database can hang a connect). */
const CHECK_TIMEOUT_MS = 2_000;

async function checkDependencies(ctx: AppContext) {
  const probe = async (check: () => Promise<unknown>) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        check(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
        }),
      ]);
      return 'up' as const;
    } catch (error) {
      ctx.logger.warn({ err: error }, 'readiness check failed');
      return 'down' as const;
    } finally {
      clearTimeout(timer);
    }
  };
  const [database, redis] = await Promise.all([
    probe(() => pingDatabase(ctx.database)),
    ctx.redis ? probe(() => ctx.redis!.ping()) : Promise.resolve('not configured' as const),
  ]);
  return { database, redis };
}

/** Builds the HTTP application on a prepared context. Listening is the caller's business. */
export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger,
    // A caller's X-Request-Id is kept when it is a plain token, so logs join across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId('req');
    },
    logController: new LogController({
      requestIdLogLabel: 'requestId',
      disableRequestLogging: ctx.config.env === 'test',
    }),
    bodyLimit: 1024 * 1024,
    // The router refuses a malformed percent-escape (`/products/%FF`) or an over-long path
    // parameter before any route or error handler runs; answer those as problem+json too,
    // as the 400 every operation with parameters documents (not fastify's own JSON and 414).
    // Requests Node itself refuses (431, 408, not HTTP) as problem+json too.
    clientErrorHandler,
    frameworkErrors: (error, request, reply) => {
      void sendProblem(
        request,
        reply,
        new AppError('VALIDATION_FAILED', `params: ${error.message}`, {
          errors: [{ path: 'params', message: error.message }],
        }),
      );
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandler(app);
  registerSecurityHeaders(app);
  registerCompression(app);
  // JSON only: a text/plain body is 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');
  // PostgreSQL text cannot hold NUL; refuse it at the edge for every route and field.
  app.addHook('preValidation', async (request) => rejectNul(request));
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });

  // Browsers on other origins (a separately hosted storefront) only where CORS_ORIGINS allows.
  if (ctx.config.corsOrigins.length > 0) {
    await app.register(fastifyCors, {
      origin: ctx.config.corsOrigins,
      credentials: false,
      exposedHeaders: ['x-request-id', 'retry-after', 'idempotent-replayed'],
    });
  }

  await app.register(fastifyRateLimit, {
    global: false,
    // Shared in Redis when configured, with this process's memory as the fallback while Redis
    // is down (never a 500 for a missing counter).
    ...(ctx.redis ? { store: resilientStore(ctx.redis, ctx.logger, 'ordo:rl:') } : {}),
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', `Too many requests; retry in ${context.after}`, {
        retryAfter: Math.ceil(context.ttl / 1000),
      }),
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Ordo API',
        version: '1.0.0',
        description:
          'Order processing for online stores. Money is integer minor units of the shop currency; errors are application/problem+json with a stable `code`.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          // A guest order's token (guest checkout): opens that one order, without a session.
          orderToken: { type: 'apiKey', in: 'header', name: 'X-Order-Token' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(httpSecurity, { config: ctx.config });

  registerMetrics(app, ctx.metrics);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['ops'],
        summary: 'The process is up',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['ops'],
        summary: 'Each dependency answers: the database, and Redis where configured',
        description:
          '503 UNAVAILABLE with `details: [{check, status}]` naming what is down; a load balancer sends no traffic until it is 200 again.',
        response: {
          200: z.object({
            status: z.literal('ready'),
            checks: z.object({
              database: z.literal('up'),
              redis: z.enum(['up', 'not configured']),
            }),
          }),
        },
      },
    },
    async () => {
      const checks = await checkDependencies(ctx);
      if (checks.database === 'down' || checks.redis === 'down') {
        throw new AppError('UNAVAILABLE', 'A dependency is not answering', {
          details: Object.entries(checks).map(([check, status]) => ({ check, status })),
        });
      }
      return { status: 'ready' as const, checks: { database: 'up' as const, redis: checks.redis } };
    },
  );

  await app.register(authRoutes(ctx));
  await app.register(catalogRoutes(ctx));
  await app.register(addressesRoutes(ctx));
  await app.register(ordersRoutes(ctx));
  await app.register(notificationsRoutes(ctx));
  await app.register(promotionsRoutes(ctx));
  await app.register(paymentsRoutes(ctx));
  await app.register(adminRoutes(ctx));
  // The web UI last: its page fallback is a wildcard that yields to every route above.
  await app.register(webRoutes());

  return app;
}
