/**
 * Counts the store work an instance has in flight (claims, completion writes, maintenance passes, work queued for the
 * next turn of the event loop), so that idle() can say when the engine has nothing left to do. Handlers that are still
 * running are not counted: they belong to the application.
 */
export class Activity {
  private count = 0;
  private waiters: (() => void)[] = [];

  /** Runs `fn`, counted until its promise settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.begin();
    try {
      return await fn();
    } finally {
      this.end();
    }
  }

  /** Counts work that starts later (a setImmediate); pair with end(). */
  begin(): void {
    this.count++;
  }

  end(): void {
    this.count--;
    if (this.count === 0) for (const w of this.waiters.splice(0)) w();
  }

  /**
   * Resolves once nothing is in flight and nothing new started during one more turn of the event loop (work often
   * starts another piece of work as it ends).
   */
  async idle(): Promise<void> {
    for (;;) {
      if (this.count > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.count === 0) return;
    }
  }
}
