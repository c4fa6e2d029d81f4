import type { Append, Store, StoreOp } from '../store/index.js';

/**
 * Group commit: applies queued while a batch is being written are coalesced into the
 * next single synced batch, so one fsync acknowledges many applies (as etcd batches its
 * WAL writes). `prepare` runs synchronously at batch-build time, in order, against the
 * state left by the earlier items of the same batch; it may throw to refuse one item.
 */
export interface Job<S, R> {
  prepare(state: S): { append: Append; result: R };
  resolve(result: R): void;
  reject(err: unknown): void;
}

export interface BatchHooks<S> {
  /** A working state for a new batch, on top of the committed one. */
  begin(): S;
  /**
   * SPEC §13: writes that go into the same synced batch as `appends` (the transparency log's
   * tiles, edge and checkpoint). A throw fails the batch like a failed write.
   */
  seal?(appends: readonly Append[]): Promise<readonly StoreOp[]>;
  /** Called synchronously once the batch is on disk, before any job is resolved. */
  committed(state: S, appends: readonly Append[]): void;
  failed(err: unknown): void;
}

export class GroupCommitter<S, R> {
  readonly #store: Store;
  readonly #hooks: BatchHooks<S>;
  readonly #maxBatch: number;
  #queue: Job<S, R>[] = [];
  #writing: Promise<void> | undefined;

  constructor(store: Store, hooks: BatchHooks<S>, maxBatch = 1024) {
    this.#store = store;
    this.#hooks = hooks;
    this.#maxBatch = maxBatch;
  }

  submit(job: Job<S, R>): void {
    this.#queue.push(job);
    if (this.#writing === undefined) this.#writing = this.#drain();
  }

  /** Resolves when nothing is queued or being written (shutdown: finish in-flight applies). */
  async idle(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
  }

  async #drain(): Promise<void> {
    // Let callers that arrive in the same tick join the first batch.
    await Promise.resolve();
    while (this.#queue.length > 0) {
      const jobs = this.#queue.splice(0, this.#maxBatch);
      const state = this.#hooks.begin();
      const accepted: Array<{ job: Job<S, R>; append: Append; result: R }> = [];
      for (const job of jobs) {
        try {
          accepted.push({ job, ...job.prepare(state) });
        } catch (err) {
          job.reject(err);
        }
      }
      if (accepted.length === 0) continue;
      const appends = accepted.map((a) => a.append);
      try {
        const extra = this.#hooks.seal === undefined ? [] : await this.#hooks.seal(appends);
        await this.#store.append(appends, extra);
      } catch (err) {
        this.#hooks.failed(err);
        for (const a of accepted) a.job.reject(err);
        continue;
      }
      this.#hooks.committed(state, appends);
      for (const a of accepted) a.job.resolve(a.result);
    }
    this.#writing = undefined;
  }
}
