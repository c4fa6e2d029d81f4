/** Reconnect policy of {@link TopologyWatcher}: exponential growth with jitter. */
export interface BackoffOptions {
  /** Delay scale of the first retry, in ms (default 250). */
  readonly initialMs?: number;
  /** Cap on the delay, in ms (default 15,000: the server's idle progress period). */
  readonly maxMs?: number;
  /** Growth per consecutive failure (default 2). */
  readonly factor?: number;
}

/**
 * "Equal jitter" (AWS Architecture Blog, Exponential Backoff and Jitter): half the
 * exponential step fixed, half random, so a fleet of watchers cut off by one server
 * restart does not reconnect in lockstep, and no retry is ever immediate.
 * `attempt` counts consecutive failures from 1; `random` returns [0, 1).
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number): number {
  const initial = opts.initialMs ?? 250;
  const max = opts.maxMs ?? 15_000;
  const factor = opts.factor ?? 2;
  const step = Math.min(max, initial * factor ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * Waits `ms`, unless `onWake` is handed a function that is then called (close() cuts a
 * backoff short): the watcher and the mirror both sleep between reconnects this way.
 */
export function sleepUnlessWoken(
  ms: number,
  onWake: (wake: (() => void) | undefined) => void,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      onWake(undefined);
      resolve();
    }, ms);
    onWake(() => {
      clearTimeout(t);
      onWake(undefined);
      resolve();
    });
  });
}
