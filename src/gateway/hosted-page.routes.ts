import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { loadSession, paySession } from './checkout-sessions.js';
import type { GatewayState } from './gateway.state.js';
import { readCard, type CardForm } from './hosted-card.js';
import {
  closedPage,
  missingPage,
  pageSecurityHeaders,
  paymentPage,
  type PageProblem,
} from './hosted-page.js';
import { sessionStatus, StripeError, type Session } from './stripe-objects.js';

// The hosted payment page, `GET /pay/:id` and the form's `POST /pay/:id`, on the gateway's own
// origin: what a customer's browser is sent to by a checkout session's `url`. Card fields are
// read here and never leave the gateway; only the test payment method they stand for is used.

type PageRequest = { Params: { id: string } };

/** The origins a session's page may send the browser on to, for its CSP's form-action. */
const returnOrigins = (session: Session) =>
  [session.successUrl, session.cancelUrl].map((url) => new URL(url).origin);

function sendPage(reply: FastifyReply, status: number, html: string, session?: Session) {
  return reply
    .code(status)
    .headers(pageSecurityHeaders(session ? returnOrigins(session) : []))
    .send(html);
}

/** A page for a closed session: 410 once expired, 200 with the way back once complete. */
const sendClosed = (reply: FastifyReply, session: Session, status: 'complete' | 'expired') =>
  sendPage(reply, status === 'expired' ? 410 : 200, closedPage(session, status), session);

/**
 * A form posted from another origin: refused, so no other site can submit this page. A
 * browser says where a post comes from in `Sec-Fetch-Site`, and names the posting page's
 * origin in `Origin` (`null` when a policy hides it).
 */
function crossOrigin(headers: {
  origin?: string | undefined;
  host?: string | undefined;
  'sec-fetch-site'?: string | string[] | undefined;
}): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const { origin, host } = headers;
  if (!origin || origin === 'null' || !host) return false;
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

export function hostedPageRoutes(gateway: GatewayState): FastifyPluginAsync {
  return async (app) => {
    app.setErrorHandler((error, _request, reply) => {
      if (error instanceof StripeError && error.status === 404) {
        return sendPage(reply, 404, missingPage());
      }
      gateway.logger.error({ err: error }, 'hosted payment page error');
      return sendPage(reply, 500, missingPage());
    });

    app.get<PageRequest>('/pay/:id', async (request, reply) => {
      const { session } = await loadSession(gateway, request.params.id);
      const status = sessionStatus(session, gateway.clock.now());
      if (status !== 'open') return sendClosed(reply, session, status);
      return sendPage(reply, 200, paymentPage(session), session);
    });

    app.post<PageRequest & { Body: CardForm | undefined }>(
      '/pay/:id',
      { bodyLimit: 4096 },
      async (request, reply) => {
        if (crossOrigin(request.headers)) {
          return reply.code(403).headers(pageSecurityHeaders()).send('Forbidden');
        }
        const form = request.body ?? {};
        const { session } = await loadSession(gateway, request.params.id);
        const status = sessionStatus(session, gateway.clock.now());
        if (status !== 'open') return sendClosed(reply, session, status);
        const values = {
          expiry: typeof form.expiry === 'string' ? form.expiry.slice(0, 7) : '',
          name: typeof form.name === 'string' ? form.name.slice(0, 100) : '',
        };
        const card = readCard(form, gateway.clock.now());
        if (!card.ok) {
          const problem: PageProblem = { kind: 'fields', errors: card.errors };
          return sendPage(reply, 422, paymentPage(session, { problem, values }), session);
        }
        const outcome = await paySession(gateway, session.id, card.paymentMethod);
        switch (outcome.kind) {
          case 'redirect':
            return reply
              .code(303)
              .headers({ 'cache-control': 'no-store', 'referrer-policy': 'same-origin' })
              .redirect(outcome.url, 303);
          case 'declined': {
            const problem: PageProblem = { kind: 'declined', message: outcome.message };
            return sendPage(reply, 402, paymentPage(outcome.session, { problem, values }), session);
          }
          case 'closed':
            return sendClosed(reply, outcome.session, outcome.status);
        }
      },
    );
  };
}
