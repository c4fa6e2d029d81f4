import { RegistryError } from '../../core/index.js';
import type { ApplyResult } from '../apply-batch.js';

/** How one stream message ended in this instance's view: its apply result, or its refusal. */
export type Outcome = { readonly result: ApplyResult } | { readonly error: unknown };

/** Outcomes kept for writers that wait on their own publish (well above the follower's in-flight bound). */
const OUTCOMES_KEPT = 8192;

interface Waiter {
  readonly seq: number;
  resolve(): void;
  reject(err: RegistryError): void;
}

/**
 * Read-your-writes on one cluster instance: a writer (or a catch-up) waits until the
 * view has processed a stream sequence, then reads that message's outcome.
 */
export class ViewWaiters {
  readonly #outcomes = new Map<number, Outcome>();
  #waiters: Waiter[] = [];

  record(seq: number, outcome: Outcome): void {
    this.#outcomes.set(seq, outcome);
    if (this.#outcomes.size > OUTCOMES_KEPT) {
      const oldest = this.#outcomes.keys().next().value;
      if (oldest !== undefined) this.#outcomes.delete(oldest);
    }
  }

  outcome(seq: number): Outcome | undefined {
    return this.#outcomes.get(seq);
  }

  /** The view has processed everything up to `processed`: wake who waited for it. */
  reached(processed: number): void {
    const ready = this.#waiters.filter((w) => w.seq <= processed);
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => w.seq > processed);
    for (const w of ready) w.resolve();
  }

  /**
   * Resolves once `reached(seq)` (or later); rejects after `timeoutMs` when given, with a
   * 503 whose Retry-After is `retryAfterSeconds`.
   */
  wait(seq: number, processed: number, timeoutMs?: number, retryAfterSeconds?: number): Promise<void> {
    if (seq <= processed) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const w: Waiter = {
        seq,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.#waiters.push(w);
      if (timeoutMs === undefined) return;
      timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        reject(
          new RegistryError(
            'StoreUnavailable',
            `stream message ${seq} is acknowledged by the cluster but not yet in this instance's view`,
            'it is durable: retry the apply to read its result',
            retryAfterSeconds === undefined ? undefined : { retryAfterSeconds },
          ),
        );
      }, timeoutMs);
    });
  }

  /**
   * Shutting down: a writer still waiting gets a retryable answer; its publish is durable,
   * and a retry through any instance answers the same 200.
   */
  rejectAll(): void {
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const w of waiting) {
      w.reject(
        new RegistryError(
          'StoreUnavailable',
          'shutting down',
          'the apply is durable: retry it to read its result',
        ),
      );
    }
  }
}
