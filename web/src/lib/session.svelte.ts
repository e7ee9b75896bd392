// Who is signed in. Login and registration happen inline (the booking modal keeps its selection),
// and every change of session reconnects the socket so the server sees the new cookie.
import type { Api } from './api.ts';
import type { User } from './types.ts';

export interface RegisterInput {
  email: string;
  password: string;
  displayName: string;
  phone?: string;
}

export class Session {
  user = $state.raw<User | null>(null);
  /** False until the first `GET /api/auth/session` has answered. */
  checked = $state(false);
  #api: Api;
  #onChange: () => void;

  constructor(api: Api, onChange: () => void = () => {}) {
    this.#api = api;
    this.#onChange = onChange;
  }

  role = $derived(this.user?.role ?? null);

  /** Asks who is signed in: a visitor is `{user: null}`, not a 401 (no error in the browser console). */
  async load(): Promise<void> {
    try {
      this.user = (await this.#api.get<{ user: User | null }>('/api/auth/session')).user;
    } catch (err) {
      console.warn('session check failed', err);
      this.user = null;
    } finally {
      this.checked = true;
    }
  }

  async login(email: string, password: string): Promise<User> {
    const { user } = await this.#api.post<{ user: User }>('/api/auth/login', { email: email.trim().toLowerCase(), password });
    this.#set(user);
    return user;
  }

  async register(input: RegisterInput): Promise<User> {
    const body: RegisterInput = {
      email: input.email.trim().toLowerCase(),
      password: input.password,
      displayName: input.displayName.trim(),
    };
    if (input.phone?.trim()) body.phone = input.phone.trim();
    // Registration signs the new customer in and answers the user itself.
    const user = await this.#api.post<User>('/api/auth/register', body);
    this.#set(user);
    return user;
  }

  async logout(): Promise<void> {
    try {
      await this.#api.post('/api/auth/logout');
    } finally {
      this.#set(null);
    }
  }

  #set(user: User | null): void {
    const changed = user?.id !== this.user?.id;
    this.user = user;
    this.checked = true;
    if (changed) this.#onChange();
  }
}
