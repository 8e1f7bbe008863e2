import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

// A webhook endpoint as a Stripe integration writes one: it checks each event's signature with
// the official SDK's `webhooks.constructEvent`, and can refuse deliveries, so a test sees what
// a real receiver would.

export interface Received {
  id: string;
  type: string;
  /** The id of the event's object (the payment intent). */
  intent: string;
  at: number;
}

export interface WebhookReceiver {
  url: string;
  /** Acknowledged events, in the order they arrived. */
  deliveries: Received[];
  /** How many deliveries of an intent's events to refuse (answer 500) before accepting. */
  refuseFirst: Map<string, number>;
  /** Bodies whose signature did not verify (answered 400). */
  unverified: string[];
  close(): Promise<void>;
}

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    request
      .setEncoding('utf8')
      .on('data', (c: string) => (body += c))
      .on('end', () => resolve(body));
  });

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const stripe = new Stripe('sk_test_receiver');
  const deliveries: Received[] = [];
  const refuseFirst = new Map<string, number>();
  const unverified: string[] = [];
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(
          body,
          String(request.headers['stripe-signature']),
          secret,
        );
      } catch {
        unverified.push(body);
        response.writeHead(400).end();
        return;
      }
      const intent = (event.data.object as { id: string }).id;
      const left = refuseFirst.get(intent) ?? 0;
      if (left > 0) {
        refuseFirst.set(intent, left - 1);
        response.writeHead(500).end();
        return;
      }
      deliveries.push({ id: event.id, type: event.type, intent, at: Date.now() });
      response.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    deliveries,
    refuseFirst,
    unverified,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
