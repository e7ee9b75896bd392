// Path routing without a library: the server answers index.html for every non-API path.
export class Router {
  path = $state('/');
  #win: Window | undefined;

  constructor(win: Window | undefined = typeof window === 'undefined' ? undefined : window) {
    this.#win = win;
    if (win) {
      this.path = win.location.pathname || '/';
      win.addEventListener('popstate', () => {
        this.path = win.location.pathname || '/';
      });
    }
  }

  /** The first path segment: '', 'bookings', 'stylist', 'admin'. */
  section = $derived(this.path.split('/')[1] ?? '');
  /** The second segment (an admin tab). */
  sub = $derived(this.path.split('/')[2] ?? '');

  go(path: string, opts: { replace?: boolean } = {}): void {
    if (path === this.path) return;
    this.path = path;
    if (this.#win) {
      if (opts.replace) this.#win.history.replaceState(null, '', path);
      else this.#win.history.pushState(null, '', path);
      this.#win.scrollTo?.(0, 0);
    }
  }
}
