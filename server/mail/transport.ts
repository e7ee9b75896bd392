// Where messages go: the SMTP server of SMTP_URL (nodemailer), or without it the local mailbox —
// the messages table (which records every message either way) plus an .eml file per message in
// MAIL_DIR, written by nodemailer's stream transport (the exact bytes SMTP would have carried).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { MailConfig } from '../config.ts';
import type { MailAttachment } from './extras.ts';

export interface Outgoing {
  /** messages.id: names the .eml file. */
  id: number;
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments: MailAttachment[];
  /** The same Message-ID on every attempt, so a receiver can tell a repeat. */
  messageId: string;
  /** The sender's name: the salon's (the `salon_name` setting). */
  fromName: string;
}

export interface Delivery {
  transport: 'smtp' | 'mailbox';
  send(m: Outgoing): Promise<void>;
  close(): void;
}

function mailOf(cfg: Pick<MailConfig, 'from'>, m: Outgoing): SendMailOptions {
  return {
    from: { name: m.fromName, address: cfg.from },
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    messageId: m.messageId,
    attachments: m.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
  };
}

/** SMTP when `smtpUrl` is set, else the mailbox folder `dir` (created on first use, nothing above it). */
export function createDelivery(cfg: Pick<MailConfig, 'smtpUrl' | 'from' | 'dir'>): Delivery {
  if (cfg.smtpUrl) {
    const smtp = nodemailer.createTransport({
      url: cfg.smtpUrl,
      // A server that does not answer is a failed attempt, retried later: never a job stuck for long.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    return {
      transport: 'smtp',
      async send(m) {
        const info = await smtp.sendMail(mailOf(cfg, m));
        if (info.rejected.length > 0) throw new Error(`the SMTP server refused ${info.rejected.map(String).join(', ')}`);
      },
      close: () => smtp.close(),
    };
  }
  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const dir = path.resolve(cfg.dir);
  let made: Promise<unknown> | undefined;
  return {
    transport: 'mailbox',
    async send(m) {
      const info = (await stream.sendMail(mailOf(cfg, m))) as { message: Buffer };
      await (made ??= mkdir(dir, { recursive: true }).catch((err: unknown) => {
        made = undefined;
        throw new Error(`cannot create the mailbox folder ${dir} (MAIL_DIR): ${(err as Error).message}`);
      }));
      await writeFile(path.join(dir, `${String(m.id).padStart(8, '0')}.eml`), info.message);
    },
    close: () => stream.close(),
  };
}
