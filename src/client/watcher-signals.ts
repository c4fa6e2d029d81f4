import { AsyncQueue } from './change-queue.js';
import type { ChangeEvent, WatcherEvents } from './topology-watcher.types.js';

export type Listener<K extends keyof WatcherEvents> = (event: WatcherEvents[K]) => void;

/**
 * How a watcher tells the outside world: callbacks per event, change iterators, and
 * promises waiting for a condition on its state. A throwing callback never reaches the
 * watcher's loop: `onListenerError` gets it.
 */
export class WatcherSignals {
  readonly #queues = new Set<AsyncQueue<ChangeEvent>>();
  readonly #listeners: { [K in keyof WatcherEvents]: Set<Listener<K>> } = {
    change: new Set(),
    error: new Set(),
    synced: new Set(),
  };
  #waiters: Array<{ done: () => boolean; resolve: () => void; reject: (e: unknown) => void }> = [];
  #ended = false;

  constructor(
    private readonly onListenerError: (err: unknown, event: keyof WatcherEvents, value: unknown) => void,
  ) {}

  on<K extends keyof WatcherEvents>(event: K, fn: Listener<K>): () => void {
    const set = this.#listeners[event] as Set<Listener<K>>;
    set.add(fn);
    return () => set.delete(fn);
  }

  changes(): AsyncIterableIterator<ChangeEvent> {
    const q: AsyncQueue<ChangeEvent> = new AsyncQueue(() => this.#queues.delete(q));
    if (this.#ended) q.end();
    else this.#queues.add(q);
    return q;
  }

  emit<K extends keyof WatcherEvents>(event: K, value: WatcherEvents[K]): void {
    if (event === 'change') for (const q of this.#queues) q.push(value as ChangeEvent);
    for (const fn of this.#listeners[event] as Set<Listener<K>>) {
      try {
        fn(value);
      } catch (err) {
        // An error listener's failure has nowhere left to go.
        if (event !== 'error') this.onListenerError(err, event, value);
      }
    }
  }

  /** Resolves when `done()` holds (checked now and on every `settle`). */
  wait(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ done, resolve, reject }));
  }

  settle(): void {
    this.#waiters = this.#waiters.filter((w) => {
      const done = w.done();
      if (done) w.resolve();
      return !done;
    });
  }

  rejectWaiters(err: unknown): void {
    for (const w of this.#waiters.splice(0)) w.reject(err);
  }

  /** Ends every change iterator (pending changes are still read). */
  end(): void {
    this.#ended = true;
    for (const q of this.#queues) q.end();
    this.#queues.clear();
  }
}
