import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A loopback SMTP server (the `smtp-server` package, as in test/helpers/smtp.ts) that accepts
 * everything and keeps, per Message-ID, when its DATA was complete. It reads the header block
 * only: parsing every message in full would put the bench's own CPU into the figure.
 */
export class BenchSmtpServer {
  /** Each Message-ID's first copy, in arrival order: `at` is Date.now() when DATA was complete. */
  readonly arrivals: { messageId: string; at: number }[] = [];
  readonly #seen = new Set<string>();
  /** Messages accepted in all, duplicates (a retried send) and ones without a Message-ID included. */
  messages = 0;
  /** Copies of a Message-ID already received. */
  duplicates = 0;
  readonly #server: SMTPServer;
  #port = 0;

  constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      // Loopback needs no PTR lookup (it asks the resolver, which may be slow or absent here).
      // smtp-server still holds every greeting 100 ms (its fixed early-talker check).
      disableReverseLookup: true,
      logger: false,
      onData: (stream, _session, callback) => {
        const head: Buffer[] = [];
        let headBytes = 0;
        let headDone = false;
        stream.on('data', (chunk: Buffer) => {
          if (headDone) return;
          head.push(chunk);
          headBytes += chunk.length;
          // The header block ends at the first empty line; 64 KiB is far more than it needs.
          if (headBytes > 65_536 || chunk.includes('\r\n\r\n') || chunk.includes('\n\n')) {
            headDone = true;
          }
        });
        stream.on('error', (error: Error) => callback(error));
        stream.on('end', () => {
          const at = Date.now();
          this.messages += 1;
          const id = messageIdOf(Buffer.concat(head).toString('latin1'));
          if (id !== undefined) {
            if (this.#seen.has(id)) {
              this.duplicates += 1;
            } else {
              this.#seen.add(id);
              this.arrivals.push({ messageId: id, at });
            }
          }
          callback();
        });
      },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    this.#port = (this.#server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.#port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** The Message-ID header's value (`<...>`) from the start of a message, folded lines joined. */
export function messageIdOf(message: string): string | undefined {
  const end = /\r?\n\r?\n/.exec(message);
  const headers = (end ? message.slice(0, end.index) : message).replace(/\r?\n[ \t]+/g, ' ');
  return /^message-id:[ \t]*(<[^>\r\n]*>)/im.exec(headers)?.[1];
}
