import { RegistryError } from '../core/index.js';
import type { LogEntry } from '../store/index.js';

/** SPEC §6 in-process events, emitted after the commit and after the snapshot shows the head. */
export type BusEvent =
  | { readonly type: 'ConfigUpdated'; readonly version: number }
  | {
      readonly type: 'Published';
      readonly descriptor_id: string;
      readonly version: number;
      readonly ts: number;
    }
  | { readonly type: 'Deprecated'; readonly descriptor_id: string; readonly version: number };

/** What a subscription yields: a log entry, or a note that it has caught up with the head. */
export type StreamItem =
  | { readonly kind: 'entry'; readonly entry: LogEntry }
  | { readonly kind: 'caught-up'; readonly version: number };

export interface LogSource {
  /** Log entries with seq > `after`, ascending, at most `limit`. */
  log(after: number, limit: number): Promise<LogEntry[]>;
}

const RECENT = 4096;

/**
 * Bounded broadcast of the event log. A subscriber replays from the log, then follows
 * live entries through a bounded buffer; one that falls behind its bound is closed as
 * lagged and can resume from its last seq without loss.
 */
export class EventBus {
  readonly #source: LogSource;
  readonly #bound: number;
  readonly #subs = new Set<Subscription>();
  readonly #listeners = new Set<(e: BusEvent) => void>();
  readonly #recent: LogEntry[] = [];
  #version = 0;
  lagged = 0;

  constructor(source: LogSource, version: number, bound = 1024) {
    this.#source = source;
    this.#version = version;
    this.#bound = bound;
  }

  get version(): number {
    return this.#version;
  }

  /** Sets the head seq after the engine loaded the store (no subscriber exists yet). */
  reset(version: number): void {
    this.#version = version;
    this.#recent.length = 0;
  }

  get subscribers(): number {
    return this.#subs.size;
  }

  on(listener: (e: BusEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Called by the engine once per committed batch, in seq order. */
  publish(entries: readonly LogEntry[]): void {
    for (const e of entries) {
      this.#version = e.seq;
      this.#recent.push(e);
      for (const s of this.#subs) s.push(e);
      this.#emit(
        e.type === 'deprecated'
          ? { type: 'Deprecated', descriptor_id: e.descriptor_id, version: e.version }
          : { type: 'Published', descriptor_id: e.descriptor_id, version: e.version, ts: e.ts },
      );
    }
    // Trimmed once per batch, not per entry: a splice at the front moves every element, and a
    // batch can hold a thousand entries (group commit, a mirror catching up).
    if (this.#recent.length > RECENT) this.#recent.splice(0, this.#recent.length - RECENT);
    const last = entries[entries.length - 1];
    if (last !== undefined) this.#emit({ type: 'ConfigUpdated', version: last.seq });
  }

  /** Entries with seq > `after`: from memory when recent, else from the store's log. */
  async read(after: number, limit: number): Promise<LogEntry[]> {
    const first = this.#recent[0];
    if (first !== undefined && after + 1 >= first.seq) {
      const start = after + 1 - first.seq;
      return this.#recent.slice(start, start + limit);
    }
    return this.#source.log(after, limit);
  }

  /** Events with seq > `since`, replayed then live. */
  subscribe(since: number): Subscription {
    const sub = new Subscription(this, since, this.#bound, (s, reason) => {
      this.#subs.delete(s);
      if (reason === 'lagged') this.lagged++;
    });
    this.#subs.add(sub);
    return sub;
  }

  /** Ends every subscription (shutdown). */
  closeAll(reason: 'shutdown' = 'shutdown'): void {
    for (const s of this.#subs) s.close(reason);
  }

  #emit(e: BusEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch {
        // A listener's failure is its own; the bus keeps delivering to the others.
      }
    }
  }
}

export type CloseReason = 'lagged' | 'shutdown' | 'closed';

export class Subscription implements AsyncIterable<StreamItem> {
  readonly #bus: EventBus;
  readonly #bound: number;
  readonly #onClose: (s: Subscription, reason: CloseReason) => void;
  #next: number;
  #live = false;
  #buffer: LogEntry[] = [];
  #wake: (() => void) | undefined;
  closed: CloseReason | undefined;

  constructor(
    bus: EventBus,
    since: number,
    bound: number,
    onClose: (s: Subscription, reason: CloseReason) => void,
  ) {
    this.#bus = bus;
    this.#next = since + 1;
    this.#bound = bound;
    this.#onClose = onClose;
  }

  /** The next seq this subscriber expects (resume from `next - 1`). */
  get next(): number {
    return this.#next;
  }

  push(e: LogEntry): void {
    // While replaying, the log is the source of truth; buffering starts once caught up.
    if (!this.#live || this.closed !== undefined) return;
    this.#buffer.push(e);
    if (this.#buffer.length > this.#bound) {
      this.close('lagged');
      return;
    }
    this.#wakeUp();
  }

  close(reason: CloseReason = 'closed'): void {
    if (this.closed !== undefined) return;
    this.closed = reason;
    this.#buffer = [];
    this.#onClose(this, reason);
    this.#wakeUp();
  }

  #wakeUp(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamItem> {
    try {
      while (this.closed === undefined) {
        if (!this.#live) {
          if (this.#next <= this.#bus.version) {
            const batch = await this.#bus.read(this.#next - 1, 256);
            for (const entry of batch) {
              if (this.closed !== undefined) return;
              if (entry.seq < this.#next) continue;
              if (entry.seq > this.#next) {
                throw new RegistryError(
                  'StoreUnavailable',
                  `event log gap: expected seq ${this.#next}, found ${entry.seq}`,
                );
              }
              this.#next = entry.seq + 1;
              yield { kind: 'entry', entry };
            }
            continue;
          }
          // Caught up: from here on live entries are buffered. No await between the
          // check above and this line, so no entry can slip between replay and live.
          this.#live = true;
          yield { kind: 'caught-up', version: this.#next - 1 };
          continue;
        }
        const entry = this.#buffer.shift();
        if (entry !== undefined) {
          if (entry.seq < this.#next) continue;
          this.#next = entry.seq + 1;
          yield { kind: 'entry', entry };
          continue;
        }
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    } finally {
      if (this.closed === undefined) this.close('closed');
    }
  }
}
