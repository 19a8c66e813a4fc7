// The time a call may take as its caller sees it: the statement timeout and a grace for
// connecting, cancelling and rolling back. PostgreSQL's statement timeout fires once per
// statement; a function that catches the cancel (EXCEPTION WHEN query_canceled) runs on
// unbounded, and a backend stuck where it does not look for interrupts never answers. The
// deadline does not depend on the server answering.

/** Why a bounded step did not finish: the call's time is up. */
export class CallDeadlineExpired extends Error {
  constructor(readonly ms: number) {
    super(`the call's deadline of ${ms} ms passed`);
    this.name = 'CallDeadlineExpired';
  }
}

/** How long a call may take: the statement timeout plus a fifth of it, at least 1 s and at most 5 s more. */
export function callDeadlineMs(statementTimeoutMs: number): number {
  return statementTimeoutMs + Math.min(5_000, Math.max(1_000, Math.round(statementTimeoutMs / 5)));
}

export class CallDeadline {
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #expired: Promise<never>;
  readonly #onExpire: (() => void)[] = [];
  #passed = false;

  constructor(readonly ms: number) {
    let reject!: (error: unknown) => void;
    this.#expired = new Promise<never>((_resolve, rejectExpired) => {
      reject = rejectExpired;
    });
    this.#expired.catch(() => undefined);
    this.#timer = setTimeout(() => {
      this.#passed = true;
      for (const listener of this.#onExpire.splice(0)) listener();
      reject(new CallDeadlineExpired(ms));
    }, ms);
  }

  get passed(): boolean {
    return this.#passed;
  }

  /** Runs `listener` when the time is up (at once if it already is). */
  onExpire(listener: () => void): void {
    if (this.#passed) listener();
    else this.#onExpire.push(listener);
  }

  /**
   * The promise's outcome, or a CallDeadlineExpired rejection once the time is up, whichever
   * comes first. A value that arrives after the deadline goes to `late` (to release what it
   * holds); a late failure is dropped.
   */
  bound<T>(promise: Promise<T>, late?: (value: T) => void): Promise<T> {
    promise.then(
      (value) => {
        if (this.#passed) late?.(value);
      },
      () => undefined,
    );
    return Promise.race([promise, this.#expired]);
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#onExpire.length = 0;
  }
}
