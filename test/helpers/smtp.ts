import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  messageId: string;
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * A real SMTP server on loopback (the `smtp-server` package) that keeps what it receives.
 * `refuse` makes it turn connections away (as a server that is down for maintenance does);
 * `rejectData` takes each message in full and then answers 451 (a temporary failure after
 * DATA: a full disk, a greylisting relay); `delayMs` holds each message before accepting it,
 * so a test can kill a worker mid-send.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  refuse = false;
  delayMs = 0;
  /** Connections turned away while refusing: proof that retries really happened. */
  refused = 0;
  rejectData = false;
  /** Messages taken in full and answered 451 while `rejectData`. */
  rejected = 0;
  /** Subjects of messages fully received but held by `delayMs`, not yet acknowledged. */
  readonly held: string[] = [];
  #server: SMTPServer;
  #port = 0;

  constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onConnect: (_session, callback) => {
        if (this.refuse) {
          this.refused += 1;
          const error = Object.assign(new Error('Service not available, try again later'), {
            responseCode: 421,
          });
          return callback(error);
        }
        callback();
      },
      // Connections already open (nodemailer pools them) are refused at MAIL FROM instead.
      onMailFrom: (_address, _session, callback) => {
        if (this.refuse) {
          this.refused += 1;
          return callback(
            Object.assign(new Error('Service not available, try again later'), {
              responseCode: 421,
            }),
          );
        }
        callback();
      },
      onData: (stream, _session, callback) => {
        if (this.rejectData) {
          stream.on('end', () => {
            this.rejected += 1;
            callback(
              Object.assign(new Error('Requested action aborted: try again later'), {
                responseCode: 451,
              }),
            );
          });
          stream.resume();
          return;
        }
        simpleParser(stream)
          .then(async (mail) => {
            if (this.delayMs) {
              this.held.push(mail.subject ?? '');
              await new Promise((r) => setTimeout(r, this.delayMs));
            }
            const to = (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) =>
              a.value.map((v) => v.address ?? ''),
            );
            this.received.push({
              messageId: mail.messageId ?? '',
              to,
              from: mail.from?.text ?? '',
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#port = (this.#server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.#port}`;
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.to.includes(address));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
