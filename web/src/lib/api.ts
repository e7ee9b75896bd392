// The one HTTP client of the app: JSON in and out, contract errors turned into ApiError, and every
// error given a sentence a person understands (see `plainMessage`).

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;
  /** Seconds to wait, from Retry-After on a 429. */
  readonly retryAfter: number | undefined;
  constructor(code: string, status: number, message: string, details?: unknown, retryAfter?: number) {
    super(message);
    this.code = code;
    this.status = status;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

export type Fetch = typeof fetch;

export interface RequestOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Let the request outlive the page (a hold released as the tab closes). */
  keepalive?: boolean;
}

export interface ApiResponse<T> {
  data: T;
  headers: Headers;
}

/** Thin JSON client. `fetchImpl` is injectable so state classes can be tested without a network. */
export class Api {
  #fetch: Fetch;
  constructor(fetchImpl: Fetch = (...a) => fetch(...a)) {
    this.#fetch = fetchImpl;
  }

  async request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    let res: Response;
    try {
      res = await this.#fetch(path, {
        method,
        credentials: 'same-origin',
        headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...opts.headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: opts.signal,
        ...(opts.keepalive ? { keepalive: true } : {}),
      });
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') throw err;
      throw new ApiError('NETWORK', 0, 'network error');
    }
    if (res.status === 204 || res.status === 304) return { data: undefined as T, headers: res.headers };
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
      const retry = Number(res.headers.get('retry-after'));
      throw new ApiError(
        e?.code ?? `HTTP_${res.status}`,
        res.status,
        e?.message ?? res.statusText,
        e?.details,
        Number.isFinite(retry) && retry > 0 ? retry : undefined,
      );
    }
    return { data: json as T, headers: res.headers };
  }

  /** A plain-text read (the Prometheus metrics). */
  async text(path: string): Promise<string> {
    let res: Response;
    try {
      res = await this.#fetch(path, { credentials: 'same-origin', headers: { Accept: 'text/plain' } });
    } catch {
      throw new ApiError('NETWORK', 0, 'network error');
    }
    const body = await res.text();
    if (!res.ok) {
      let code = `HTTP_${res.status}`;
      try {
        code = (JSON.parse(body) as { error?: { code?: string } } | null)?.error?.code ?? code;
      } catch {
        /* not JSON */
      }
      throw new ApiError(code, res.status, res.statusText);
    }
    return body;
  }

  async get<T>(path: string, opts?: RequestOptions): Promise<T> {
    return (await this.request<T>('GET', path, undefined, opts)).data;
  }
  async post<T>(path: string, body?: unknown, opts?: RequestOptions): Promise<T> {
    return (await this.request<T>('POST', path, body ?? {}, opts)).data;
  }
  async put<T>(path: string, body: unknown, opts?: RequestOptions): Promise<T> {
    return (await this.request<T>('PUT', path, body, opts)).data;
  }
  async patch<T>(path: string, body: unknown, opts?: RequestOptions): Promise<T> {
    return (await this.request<T>('PATCH', path, body, opts)).data;
  }
  async delete<T = void>(path: string, opts?: RequestOptions): Promise<T> {
    return (await this.request<T>('DELETE', path, undefined, opts)).data;
  }
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const FIELD_NAMES: Record<string, string> = {
  email: 'email address',
  password: 'password',
  displayName: 'name',
  phone: 'phone number',
  reason: 'reason',
  startDate: 'start date',
  endDate: 'end date',
  start: 'start time',
  end: 'end time',
  timezone: 'time zone',
  message: 'message',
};

/** Words for a person, by stable error code; never the server's internals. */
export function plainMessage(err: unknown): string {
  if (!(err instanceof ApiError)) return 'Something went wrong. Please try again.';
  switch (err.code) {
    case 'NETWORK':
      return 'We could not reach the salon. Check your connection and try again.';
    case 'INVALID_INPUT': {
      const fields = ((err.details as { fields?: { field: string }[] } | undefined)?.fields ?? [])
        .map((f) => FIELD_NAMES[f.field] ?? f.field)
        .filter(Boolean);
      const uniq = [...new Set(fields)];
      return uniq.length ? `Please check the ${joinWords(uniq)}.` : 'Some details are missing or not valid. Please check and try again.';
    }
    case 'WEAK_PASSWORD':
      return passwordProblem(err) ?? 'Choose a stronger password.';
    case 'NAME_TOO_LONG':
      return nameProblem(err) ?? 'Please shorten the name.';
    case 'UNKNOWN_TIMEZONE':
      return 'That time zone is not recognised. Please choose one from the list.';
    case 'NOT_ON_GRID':
    case 'OUTSIDE_HOURS':
      return 'That time is not one the stylist offers. Please pick a time from the list.';
    case 'IN_PAST':
      return 'That time has already passed (or is too soon to book). Please pick a later time.';
    case 'UNAUTHENTICATED':
      return err.message && /password|email/i.test(err.message)
        ? 'That email and password do not match an account.'
        : 'Please sign in to continue.';
    case 'FORBIDDEN':
      return 'Your account is not allowed to do that.';
    case 'NOT_FOUND':
      return 'We could not find that. It may have been removed or changed.';
    case 'SLOT_TAKEN':
      return 'Sorry, someone else has just booked that time.';
    case 'SLOT_HELD':
      return 'Someone else is booking that time right now. Please choose another.';
    case 'HOLD_EXPIRED':
      return 'Your hold on that time ran out. Hold it again to book.';
    case 'CUSTOMER_BUSY':
      return 'You already have a booking or a hold at that time. Choose another time, or release the other one first.';
    case 'HOLD_LIMIT':
      return 'You have held that time for as long as we can keep it for you. Please choose another time, or try again later.';
    case 'INVALID_TRANSITION':
      return 'That change is not possible for this booking right now.';
    case 'CONFLICT':
      return 'That already exists (for example, an account with this email address).';
    case 'PAYLOAD_TOO_LARGE':
      return 'That is too much text. Please shorten it.';
    case 'RATE_LIMITED':
      return err.retryAfter
        ? `Too many attempts. Please wait ${err.retryAfter} second${err.retryAfter === 1 ? '' : 's'} and try again.`
        : 'Too many attempts. Please wait a moment and try again.';
    case 'NOT_READY':
      return 'The salon system is catching up. Please try again in a few seconds.';
    case 'LINK_EXPIRED':
      return 'This link has expired. Sign in to see your bookings, or use the link in your latest message.';
    case 'LINK_USED':
      return 'This link was already used to change the booking. Use the link in your latest message.';
    case 'LINK_INVALID':
      return 'This link is not valid. Check that the whole link was copied from the message.';
    case 'LINK_NOT_ALLOWED':
      return 'This link cannot make that change. Sign in to change the booking.';
    case 'BUDGET_EXHAUSTED':
      return budgetProblem(err);
    default:
      return err.status >= 500 ? 'Something went wrong on our side. Please try again.' : 'That did not work. Please try again.';
  }
}

/**
 * What is wrong with the password of a refused registration, for a person, or null for any other
 * error: the server's reason (its estimator's own words) for WEAK_PASSWORD, or the password rule
 * an INVALID_INPUT names.
 */
export function passwordProblem(err: unknown): string | null {
  if (!(err instanceof ApiError)) return null;
  if (err.code === 'WEAK_PASSWORD') {
    const reason = (err.details as { reason?: unknown } | undefined)?.reason;
    return typeof reason === 'string' && reason
      ? `This password is too easy to guess. ${reason}`
      : 'This password is too easy to guess. Choose a longer one, such as a few unrelated words.';
  }
  if (err.code === 'INVALID_INPUT') {
    const fields = (err.details as { fields?: { field: string }[] } | undefined)?.fields ?? [];
    if (fields.some((f) => f.field === 'password')) return 'Choose a password of 8 to 200 characters.';
  }
  return null;
}

/** Why a name was refused (NAME_TOO_LONG), for a person, or null for any other error. */
export function nameProblem(err: unknown): string | null {
  if (!(err instanceof ApiError) || err.code !== 'NAME_TOO_LONG') return null;
  const max = (err.details as { max?: unknown } | undefined)?.max;
  return typeof max === 'number' ? nameTooLong(max) : 'This name is too long. Please shorten it.';
}

/** The one sentence for a name over the limit (the form says it before sending, the server after). */
export function nameTooLong(max: number): string {
  return `Please shorten the name to at most ${max} characters.`;
}

/** A refused time-off request (BUDGET_EXHAUSTED), naming the month's budget. */
function budgetProblem(err: ApiError): string {
  const d = err.details as { budget?: unknown; used?: unknown; month?: unknown; emergency?: unknown } | undefined;
  const kind = d?.emergency === true ? 'emergency time-off requests' : 'time-off requests';
  if (typeof d?.budget !== 'number' || typeof d.month !== 'string') return `You have no ${kind} left this month.`;
  const month = /^\d{4}-\d{2}$/.test(d.month)
    ? new Date(`${d.month}-15T12:00:00Z`).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' })
    : d.month;
  return d.budget === 0
    ? `Your budget of ${kind} for ${month} is 0: ask the salon.`
    : `You have used all ${d.budget} ${kind} for ${month}. Ask the salon, or try again next month.`;
}

function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** Alternatives a 409 carries: `details.alternatives`, as start instants. */
export function alternativesOf(err: unknown): string[] {
  const alts = err instanceof ApiError ? (err.details as { alternatives?: unknown } | undefined)?.alternatives : undefined;
  if (!Array.isArray(alts)) return [];
  return alts
    .map((a) =>
      typeof a === 'string' ? a : typeof a === 'object' && a && 'startUtc' in a ? String((a as { startUtc: unknown }).startUtc) : null,
    )
    .filter((a): a is string => !!a);
}
