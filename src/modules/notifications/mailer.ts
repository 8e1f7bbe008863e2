import nodemailer, { type Transporter } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { uniqueHex } from '../../shared/ids.js';

export interface OutgoingEmail {
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends mail. `transport` tells where it went, for the email log. */
export interface Mailer {
  readonly transport: 'smtp' | 'captured';
  send(email: OutgoingEmail): Promise<void>;
  close(): void;
}

/**
 * Over SMTP when `SMTP_URL` is set (a failure throws, and the job retries); otherwise mail is
 * captured: rendered in full and kept in the email log, where the admin UI and `ordo mail`
 * show it, without leaving the machine.
 */
export function createMailer(options: { smtpUrl: string | undefined; from: string }): Mailer {
  if (!options.smtpUrl) {
    const capture = nodemailer.createTransport({ jsonTransport: true });
    return {
      transport: 'captured',
      async send(email) {
        await capture.sendMail(message(options.from, email));
      },
      close: () => capture.close(),
    };
  }
  const url = new URL(options.smtpUrl);
  const smtp: Transporter = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port) || (url.protocol === 'smtps:' ? 465 : 587),
    secure: url.protocol === 'smtps:',
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    // Reuse connections: a new SMTP session per message costs a greeting (and a TLS handshake
    // on a real relay) each time, which caps delivery at a handful of emails per second.
    // Ten connections: confirmations go out in batches of up to a hundred, and a message costs
    // its connection four round trips, so five connections left a batch waiting on them.
    pool: true,
    maxConnections: 10,
    maxMessages: 500,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    transport: 'smtp',
    async send(email) {
      // Composed into one buffer first, so the DATA goes out in one socket write: streamed as
      // nodemailer composes it, a message was a write per MIME piece, a syscall each. The
      // boundary comes from Ordo's random pool and the raw message keeps its Message-ID, or
      // nodemailer asks crypto for random bytes six more times a message (a tenth of its work).
      const composed = new MailComposer({
        ...message(options.from, email),
        baseBoundary: uniqueHex(),
      }).compile();
      await smtp.sendMail({
        envelope: composed.getEnvelope(),
        raw: await composed.build(),
        messageId: email.messageId,
      });
    },
    close: () => smtp.close(),
  };
}

const message = (from: string, email: OutgoingEmail) => ({
  from,
  to: email.to,
  subject: email.subject,
  text: email.text,
  html: email.html,
  messageId: email.messageId,
});
