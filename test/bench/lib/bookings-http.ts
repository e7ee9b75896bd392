// A logged-in customer for the bookings benchmark: one keep-alive connection and one session cookie,
// as a browser tab has. node:http rather than fetch: less CPU per request in the load generator,
// which shares the machine's cores with the server and Postgres.
import http from 'node:http';

export interface Reply {
  status: number;
  body: string;
}

export class BenchCustomer {
  readonly baseUrl: string;
  readonly email: string;
  /** `name=value` of the session cookie once logged in. */
  cookie = '';
  #agent = new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
  #url: URL;

  constructor(baseUrl: string, email: string) {
    this.baseUrl = baseUrl;
    this.email = email;
    this.#url = new URL(baseUrl);
  }

  /** Logs in; throws unless the server answers 200 with a session cookie. */
  async login(password: string): Promise<void> {
    const r = await this.post('/api/auth/login', { email: this.email, password });
    if (r.status !== 200 || !this.cookie) throw new Error(`login as ${this.email} answered ${r.status}: ${r.body.slice(0, 200)}`);
  }

  post(path: string, body: unknown, timeoutMs = 30_000): Promise<Reply> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
      if (this.cookie) headers.cookie = this.cookie;
      const req = http.request(
        { agent: this.#agent, host: this.#url.hostname, port: this.#url.port, path, method: 'POST', headers, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.once('end', () => {
            for (const c of res.headers['set-cookie'] ?? []) {
              const pair = c.split(';')[0];
              this.cookie = pair.endsWith('=') ? '' : pair;
            }
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
          });
          res.once('error', reject);
        },
      );
      req.once('timeout', () => req.destroy(new Error(`POST ${path} timed out after ${timeoutMs} ms`)));
      req.once('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** The `error.code` of a contract error body, or a short description of an unexpected answer. */
export function errorCode(r: Reply): string {
  try {
    const code = (JSON.parse(r.body) as { error?: { code?: string } }).error?.code;
    if (code) return `${r.status} ${code}`;
  } catch {
    // not JSON
  }
  return `${r.status}`;
}
