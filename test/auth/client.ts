// A tiny cookie-keeping HTTP client for tests: what a browser (or curl -c/-b) does with the session.

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class HttpClient {
  readonly baseUrl: string;
  /** `name=value` of the session cookie, or '' before login. */
  cookie = '';

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.baseUrl + path, { method, headers: h, body: payload });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0];
      // A cleared cookie (logout) comes back empty.
      this.cookie = pair.endsWith('=') ? '' : pair;
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body, headers);
  }
  put<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PUT', path, body, headers);
  }
  patch<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, body, headers);
  }
  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, undefined, headers);
  }
}

/** A client logged in as `email` (throws unless the login succeeds). */
export async function loginAs(baseUrl: string, email: string, password: string): Promise<HttpClient> {
  const c = new HttpClient(baseUrl);
  const r = await c.post('/api/auth/login', { email, password });
  if (r.status !== 200) throw new Error(`login as ${email} failed: ${r.status} ${JSON.stringify(r.body)}`);
  return c;
}

/** Env for test servers: rate limits out of the way unless a test is about them. */
export const NO_LIMITS = { RATE_LIMIT_LOGIN: '100000', RATE_LIMIT_BOOKING: '100000', RATE_LIMIT_REGISTER: '100000' };
