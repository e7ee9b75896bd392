// The LISTEN connection, with pg-listen configured as docs/decisions.md says ("pg-listen, configured, and never trusted alone"): it retries forever with
// backoff, notices a silently dropped connection (keepalive, a paranoid check with a query
// timeout), never exits the process, and hands raw payloads to the relay (which validates them).
import pgListen from 'pg-listen';
import type pg from 'pg';
import type { Logger } from 'pino';

const createSubscriber = pgListen.default;

export interface ListenerOptions {
  /** Connection settings of the LISTEN client (the pool's, plus timeouts). */
  client: pg.ClientConfig;
  channel: string;
  log: Logger;
  /** Interval of the liveness query on the LISTEN connection. */
  checkIntervalMs: number;
  /** Cap of the reconnection backoff. */
  retryMaxMs: number;
  onNotification(payload: string): void;
  /** Connected and LISTENing (the first time and after every reconnection). */
  onConnected(): void;
  /** The connection was lost; reconnection attempts follow. */
  onDisconnected(): void;
}

export type ListenerState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export class NotificationListener {
  state: ListenerState = 'connecting';
  #sub: ReturnType<typeof createSubscriber> | null = null;
  #opts: ListenerOptions;
  /** The first LISTEN, queued before connect; awaited before the first `connected` is reported. */
  #firstListen: Promise<unknown> = Promise.resolve();

  constructor(opts: ListenerOptions) {
    this.#opts = opts;
  }

  start(): void {
    const { log, channel } = this.#opts;
    const sub = createSubscriber(this.#opts.client, {
      retryTimeout: Infinity,
      retryLimit: Infinity,
      // 100 ms, 200 ms, … capped: quick after a blip, gentle on a database that is down for long.
      retryInterval: (attempt: number) => {
        // pg-listen's reconnection loop does not look at close(); throwing here is what ends it.
        if (this.state === 'closed') throw new Error('listener closed');
        return Math.min(this.#opts.retryMaxMs, 100 * 2 ** Math.min(attempt, 16));
      },
      paranoidChecking: this.#opts.checkIntervalMs,
      // Raw strings: a malformed payload must not become an 'error' event; the relay validates.
      parse: (raw: string) => raw,
    });
    this.#sub = sub;
    sub.events.on('notification', (n) => {
      if (this.state !== 'closed' && n.channel === channel) this.#opts.onNotification(typeof n.payload === 'string' ? n.payload : '');
    });
    sub.events.on('connected', () => {
      // A reconnection that completed after close(): end that connection too.
      if (this.state === 'closed') return void sub.close().catch(() => undefined);
      void this.#firstListen
        .catch(() => undefined)
        .then(() => {
          if (this.state === 'closed') return;
          this.state = 'connected';
          this.#opts.onConnected();
        });
    });
    sub.events.on('reconnect', (attempt) => {
      if (this.state === 'closed') return;
      if (attempt === 1) log.warn('notification listener lost its connection; reconnecting');
      else if (attempt % 20 === 0) log.warn({ attempt }, 'notification listener still reconnecting');
      if (this.state !== 'reconnecting') {
        this.state = 'reconnecting';
        this.#opts.onDisconnected();
      }
    });
    // pg-listen reports failed re-initialisations here; it keeps retrying on its own (the paranoid
    // check re-triggers it), so log and carry on. Never process.exit.
    sub.events.on('error', (err) => {
      if (this.state !== 'closed') log.warn({ err: err.message }, 'notification listener error');
    });
    // LISTEN is registered before connecting, so a connection that fails at first is re-LISTENed
    // by pg-listen's own reconnection (it re-subscribes every channel it knows).
    this.#firstListen = sub.listenTo(channel) ?? Promise.resolve();
    this.#firstListen.catch(() => undefined);
    sub.connect().catch((err: Error) => {
      log.warn({ err: err.message }, 'notification listener could not connect; retrying');
      if (this.state === 'connecting') {
        this.state = 'reconnecting';
        this.#opts.onDisconnected();
      }
    });
  }

  async close(): Promise<void> {
    this.state = 'closed';
    const sub = this.#sub;
    this.#sub = null;
    if (!sub) return;
    await Promise.race([sub.close().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}
