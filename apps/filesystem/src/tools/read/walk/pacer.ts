/**
 * Keeps a synchronous walk from starving the event loop: the walk does its file-system work in
 * synchronous slices (far cheaper than one promise per call) and yields to the event loop when a
 * slice has run for `sliceMs`, so cancellations and other requests are handled. Cancellation is
 * checked at every step.
 */
export class Pacer {
  private last = performance.now();

  constructor(
    private readonly signal: AbortSignal,
    private readonly sliceMs = 8,
  ) {}

  /** Throws when the call was cancelled. */
  check(): void {
    if (this.signal.aborted) throw cancelled(this.signal);
  }

  /** True when the current slice is over and the caller should `await pause()`. */
  due(): boolean {
    return performance.now() - this.last >= this.sliceMs;
  }

  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.last = performance.now();
    this.check();
  }
}

function cancelled(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(`cancelled${reason === undefined ? '' : `: ${String(reason)}`}`);
}
