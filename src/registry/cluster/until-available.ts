import { isRegistryError } from '../../core/index.js';

/** Start-up backoff: 250 ms doubling to 5 s, for as long as it takes (start-up waits for NATS). */
const FIRST_MS = 250;
const MAX_MS = 5_000;

/**
 * Runs `step` until it does not fail with `StoreUnavailable` (NATS slow, electing a leader,
 * a node down): each such failure is reported to `onRetry` and waited out with backoff,
 * while /readyz answers 503. Any other failure (a configuration error) is thrown at once.
 */
export async function untilAvailable<T>(
  step: () => Promise<T>,
  onRetry: ((err: unknown, delayMs: number) => void) | undefined,
  firstMs = FIRST_MS,
): Promise<T> {
  for (let delay = firstMs; ; delay = Math.min(MAX_MS, delay * 2)) {
    try {
      return await step();
    } catch (err) {
      if (!isRegistryError(err, 'StoreUnavailable')) throw err;
      onRetry?.(err, delay);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
