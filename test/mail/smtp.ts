// A real SMTP server in the test process (smtp-server), parsing each message that arrives
// (mailparser). It can be stopped and started again on the same port (an outage).
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export class TestSmtp {
  readonly received: ParsedMail[] = [];
  port = 0;
  #server: SMTPServer | undefined;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Listens (on the same port as before when restarted). */
  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, cb) => {
        simpleParser(stream).then(
          (m) => {
            this.received.push(m);
            cb();
          },
          (err: Error) => cb(err),
        );
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops listening (what a client sees of an SMTP server that is down: connection refused). */
  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** The messages received to `to`. */
  to(address: string): ParsedMail[] {
    return this.received.filter((m) => addresses(m.to).includes(address));
  }
}

export function addresses(to: ParsedMail['to']): string[] {
  if (!to) return [];
  return (Array.isArray(to) ? to : [to]).flatMap((a) => a.value.map((v) => v.address ?? ''));
}

/** Polls `cond` until it holds (or fails after `ms`, saying what it waited for). */
export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A test double of the calendar file and manage link (the real ones are another module's). */
export const testExtras = {
  ics: (bookingId: string) =>
    Promise.resolve({
      filename: 'booking.ics',
      content: `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:${bookingId}\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270310T033000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`,
    }),
  manageUrl: (bookingId: string) => Promise.resolve(`https://salon.example/manage/${bookingId}?token=abc&for=manage`),
};
