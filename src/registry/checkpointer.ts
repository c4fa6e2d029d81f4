import type { Store } from '../store/index.js';
import { writeCheckpoint } from './load.js';
import type { Snapshot } from './snapshot.js';

/** Below this many heads a full load is fast anyway: no checkpoint is worth writing. */
export const CHECKPOINT_MIN_HEADS = 1000;

/**
 * Decides when to write the start-up checkpoint (see load.ts): in the background every
 * `every` applies, after a full load, and once more on close. On-disk stores only.
 */
export class Checkpointer {
  readonly #store: Store;
  readonly #snapshot: Snapshot;
  readonly #every: number;
  readonly #enabled: boolean;
  #since = 0;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(store: Store, snapshot: Snapshot, every: number, enabled: boolean) {
    this.#store = store;
    this.#snapshot = snapshot;
    this.#every = every;
    this.#enabled = enabled && store.persistent;
  }

  /** Called after each committed batch. */
  applied(n: number): void {
    this.#since += n;
    if (this.#since >= this.#every) this.soon();
  }

  /** Starts a background checkpoint unless one is running. */
  soon(): void {
    if (!this.#enabled || this.#running !== undefined || this.#stopped) return;
    const at = this.#since;
    this.#running = writeCheckpoint(this.#store, this.#snapshot)
      .then(() => {
        this.#since -= at;
      })
      .catch(() => {
        // Only start-up speed is at stake; the next trigger tries again.
      })
      .finally(() => {
        this.#running = undefined;
      });
  }

  /** Shutdown: waits for a running checkpoint, then writes a last one if anything changed. */
  async close(): Promise<void> {
    this.#stopped = true;
    await this.#running;
    if (this.#enabled && this.#since > 0 && this.#snapshot.heads.size >= CHECKPOINT_MIN_HEADS) {
      await writeCheckpoint(this.#store, this.#snapshot).catch(() => undefined);
    }
  }
}
