import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { expect } from '@playwright/test';

/**
 * A real SMTP server on loopback that Ordo sends its mail to (SMTP_URL), writing each message
 * as a JSON file into a folder the tests read. The tests need the links in the emails as the
 * customer receives them; the back office's email log redacts token links to other accounts.
 */
export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
}

export async function startInbox(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  mkdirSync(dir, { recursive: true });
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const to = (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) =>
            a.value.map((v) => v.address ?? ''),
          );
          const received: ReceivedMail = { to, subject: mail.subject ?? '', text: mail.text ?? '' };
          count += 1;
          writeFileSync(join(dir, `${Date.now()}-${count}.json`), JSON.stringify(received));
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every message received so far, oldest first. */
export function readInbox(dir: string): ReceivedMail[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as ReceivedMail);
}

/**
 * The token link (`…token=…`, in a query or a fragment) in the newest email to an address whose
 * subject matches, once it has arrived.
 */
export async function emailedLink(to: string, subject: RegExp): Promise<URL> {
  const dir = process.env.ORDO_E2E_INBOX;
  if (!dir) throw new Error('ORDO_E2E_INBOX is not set: run through `npm run test:e2e`');
  let link: string | undefined;
  await expect
    .poll(
      () => {
        const mail = readInbox(dir)
          .filter((m) => m.to.includes(to) && subject.test(m.subject))
          .at(-1);
        link = mail?.text.match(/https?:\/\/\S+token=[\w.~%-]+/)?.[0];
        return link;
      },
      { timeout: 20_000 },
    )
    .toBeTruthy();
  return new URL(link!);
}
