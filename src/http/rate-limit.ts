import { RegistryError } from '../core/index.js';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * SPEC §8 WRITE_RATE: a token bucket per token identifier, refilled at `rate` per second
 * with a burst of 2× the rate. Over the rate → 429 WriteRateLimited with Retry-After.
 */
export class WriteRateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(ratePerSecond: number, now: () => number = Date.now) {
    this.#rate = ratePerSecond;
    this.#burst = Math.max(1, ratePerSecond * 2);
    this.#now = now;
  }

  /** Takes one write from `key`'s bucket or throws WriteRateLimited with `retryAfterSeconds`. */
  take(key: string): void {
    const now = this.#now();
    let b = this.#buckets.get(key);
    if (b === undefined) {
      if (this.#buckets.size > 100_000) this.#prune(now);
      b = { tokens: this.#burst, at: now };
      this.#buckets.set(key, b);
    }
    b.tokens = Math.min(this.#burst, b.tokens + ((now - b.at) / 1000) * this.#rate);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return;
    }
    const wait = Math.max(1, Math.ceil((1 - b.tokens) / this.#rate));
    throw new RateLimited(wait, this.#rate);
  }

  #prune(now: number): void {
    for (const [k, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.#rate >= this.#burst) this.#buckets.delete(k);
    }
  }
}

export class RateLimited extends RegistryError {
  declare readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number, rate: number) {
    super(
      'WriteRateLimited',
      `write rate over ${rate}/s for this token`,
      `retry after ${retryAfterSeconds} s`,
      {
        retryAfterSeconds,
      },
    );
  }
}
