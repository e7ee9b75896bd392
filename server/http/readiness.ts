/** Named readiness checks; /readyz is 200 only when all pass and says which fail otherwise. */
export class Readiness {
  #checks = new Map<string, () => boolean | Promise<boolean>>();

  add(name: string, check: () => boolean | Promise<boolean>): void {
    this.#checks.set(name, check);
  }

  async status(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const checks: Record<string, boolean> = {};
    await Promise.all(
      [...this.#checks].map(async ([name, check]) => {
        checks[name] = await Promise.race([
          Promise.resolve()
            .then(check)
            .catch(() => false),
          new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref()),
        ]);
      }),
    );
    return { ready: Object.values(checks).every(Boolean), checks };
  }
}
