import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { runBackground, stopBackground } from './background.js';
import { registerGatewayRoutes } from './gateway.routes.js';
import { createGatewayState, type GatewayOptions } from './gateway.state.js';

/**
 * The built-in payment gateway: a stand-in for a real provider, speaking the subset of Stripe's
 * API that Ordo uses (form-encoded requests, Stripe's object and error shapes), on its own
 * loopback port, with its state in its own schema. Test payment methods decide the outcome.
 * Webhooks are signed like Stripe's and retried with backoff until acknowledged; an intent's
 * metadata can ask for them to be sent twice (`gateway_webhooks=duplicate`), late
 * (`gateway_webhook_delay_ms`), or not at all (`gateway_webhooks=none`), for tests.
 *
 * Its parts, each taking the one `GatewayState` this file makes: `gateway.routes.ts` (the HTTP
 * surface), `idempotency.ts`, `intents.ts`, `refunds.ts`, `checkout-sessions.ts` and
 * `hosted-page.ts` (Stripe Checkout's hosted payment page, on the gateway's own origin), `webhook-events.ts` and
 * `webhook-delivery.ts`, and `background.ts` (the loop that settles and delivers).
 */

export type { GatewayOptions } from './gateway.state.js';

export interface RunningGateway {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** What a process may choose when it runs the gateway; the rest comes from the config. */
export type GatewaySettings = Partial<
  Pick<GatewayOptions, 'port' | 'host' | 'webhookUrl' | 'publicUrl' | 'settleAfterMs' | 'tickMs'>
>;

/**
 * The one options builder: the gateway's port (`GATEWAY_PORT`), loopback unless told
 * otherwise, and webhooks to `PAYMENT_WEBHOOK_URL` or Ordo's own route on `PORT`.
 */
export function gatewayOptions(
  config: Config,
  deps: Pick<GatewayOptions, 'db' | 'clock' | 'logger' | 'webhookSecret'>,
  settings: GatewaySettings = {},
): GatewayOptions {
  return {
    ...deps,
    port: config.gatewayPort,
    host: '127.0.0.1',
    webhookUrl:
      config.paymentWebhookUrl ??
      `http://127.0.0.1:${config.port}/api/v1/webhooks/payments/builtin`,
    ...(config.gatewayPublicUrl ? { publicUrl: config.gatewayPublicUrl } : {}),
    ...settings,
  };
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  // The hosted pages' origin, unless configured: where it listens, known once it does.
  let listening = '';
  const gateway = createGatewayState({
    ...options,
    publicUrl: options.publicUrl ?? (() => listening),
  });
  const app = Fastify({ loggerInstance: options.logger.child({ component: 'gateway' }) });
  await registerGatewayRoutes(app, gateway);
  await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  const running = runBackground(gateway);
  const { port } = app.server.address() as AddressInfo;
  listening = `http://127.0.0.1:${port}`;
  return {
    url: listening,
    app,
    async close() {
      stopBackground(gateway);
      await running;
      await app.close();
    },
  };
}
