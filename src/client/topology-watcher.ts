import {
  type Governance,
  type GovernanceBody,
  parseAllowList,
  RegistryError,
  verifyLogEntry,
} from '../core/index.js';
import { backoffDelay } from './backoff.js';
import { RegistryClient } from './client.js';
import type { DescriptorResponse, WatchEvent } from './client.types.js';
import { asRegistryError, type FollowHandler, LogFollower, TRANSPORT_CODES } from './log-follower.js';
import { RegistryResponseError } from './response-error.js';
import type {
  ChangeEvent,
  TopologyWatcherOptions,
  ViewEntry,
  WatcherErrorEvent,
  WatcherEvents,
  WatcherPhase,
  WatcherStatus,
} from './topology-watcher.types.js';
import { assertNextEntry, claimOf, headRefOf } from './verify-entry.js';
import { type Listener, WatcherSignals } from './watcher-signals.js';

/** A failure tied to one seq: the loop reports it and reconnects from the last good seq. */
class SeqFailure {
  constructor(
    readonly phase: WatcherPhase,
    readonly seq: number,
    readonly error: RegistryError,
  ) {}
}

/**
 * Follows a registry's `/watch` and keeps a verified, never-rolled-back view of every head.
 *
 * Trust: it starts from nothing but the pinned genesis. It replays the log from seq 0
 * (SPEC §6) and, for each entry, fetches that exact version (`getVersion`) and verifies it
 * with the core's `verifyDescriptor` under the governance in force at that log position:
 * seq 1 must be the pinned genesis (`assertGenesis`); a rotation needs the old AND the new
 * threshold (SPEC §3). Replaying rather than listing heads is what lets every descriptor be
 * checked against the governance of its own time. Only then is the entry exposed.
 *
 * Rollback protection: an entry must carry seq = last + 1 (no gap, no repeat) and version
 * = head + 1 with prev = the head's digest (no lowered or replayed version).
 *
 * Failures: a refused entry is reported (`error` event, phase `verify`, with its seq and
 * the `RegistryError` saying why) and the view stays at the last good seq. By default the
 * watcher then reconnects after a jittered exponential backoff and re-fetches from that
 * seq, because a refusal may be transient (a mirror mid-propagation, a corrupted
 * response); a persistent forgery can only produce repeated reports at the maximum delay,
 * never advance the view. `onVerificationFailure: 'halt'` stops instead. Broken or silent
 * streams resume with `since` = the last good seq, so changes are delivered exactly once.
 *
 * @example
 * ```ts
 * import { TopologyWatcher } from 'registry';
 *
 * const watcher = new TopologyWatcher({
 *   baseUrl: 'http://127.0.0.1:9402',
 *   genesis: { signers: ['ed25519:…', 'ed25519:…', 'ed25519:…'], threshold: 2 },
 *   onError: (e) => console.warn(e.phase, e.seq, e.error.code, e.error.message),
 * }).start();
 * await watcher.synced();
 * for await (const change of watcher) {
 *   console.log(change.seq, change.id, change.current.version);
 * }
 * ```
 */
export class TopologyWatcher implements AsyncIterable<ChangeEvent> {
  readonly #client: RegistryClient;
  readonly #genesis: GovernanceBody;
  readonly #opts: TopologyWatcherOptions;
  readonly #random: () => number;
  readonly #view = new Map<string, ViewEntry>();
  #governance: Governance | undefined;
  #seq = 0;
  #status: WatcherStatus = 'idle';
  #lastError: WatcherErrorEvent | undefined;
  #closed = false;
  readonly #follower: LogFollower;
  readonly #signals: WatcherSignals;
  #syncedOnce = false;

  /** Throws `BadRequest` when the pinned genesis is not a valid allow-list and threshold. */
  constructor(opts: TopologyWatcherOptions) {
    this.#genesis = parseAllowList(opts.genesis.signers, opts.genesis.threshold);
    this.#opts = opts;
    this.#client = opts.client ?? new RegistryClient(opts);
    this.#random = opts.random ?? Math.random;
    this.#signals = new WatcherSignals((err, event, value) =>
      this.#report({
        error: asRegistryError(err, `${event} listener threw`),
        phase: 'listener',
        seq: event === 'change' ? (value as ChangeEvent).seq : undefined,
        attempt: 0,
        retryInMs: undefined,
      }),
    );
    this.#follower = new LogFollower(this.#client, this.#handler(), {
      ...(opts.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: opts.idleTimeoutMs }),
    });
    if (opts.onChange !== undefined) this.#signals.on('change', opts.onChange);
    if (opts.onError !== undefined) this.#signals.on('error', opts.onError);
  }

  /**
   * Starts following (idempotent); returns the watcher for chaining.
   * @example
   * ```ts
   * const watcher = new TopologyWatcher({ genesis }).start();
   * ```
   */
  start(): this {
    if (!this.#closed) this.#follower.start();
    return this;
  }

  /**
   * The verified heads by id: live and read-only (copy it to keep a snapshot). Never
   * contains anything unverified, and never moves backwards.
   * @example
   * ```ts
   * const endpoints = [...watcher.view().values()].filter((e) => e.descriptor.kind === 'service');
   * ```
   */
  view(): ReadonlyMap<string, ViewEntry> {
    return this.#view;
  }

  /**
   * The governance in force at `seq()`; undefined before the genesis is verified.
   * @example
   * ```ts
   * console.log(watcher.governance()?.threshold);
   * ```
   */
  governance(): Governance | undefined {
    return this.#governance;
  }

  /**
   * The last verified log seq (0 before genesis).
   * @example
   * ```ts
   * console.log(`verified through seq ${watcher.seq()}`);
   * ```
   */
  seq(): number {
    return this.#seq;
  }

  /**
   * Where the loop is: `syncing` while replaying, `live` once a progress note says it is
   * current, `backoff` between attempts, `halted` after a refusal under `halt`.
   * @example
   * ```ts
   * if (watcher.status() !== 'live') console.warn('topology may be stale');
   * ```
   */
  status(): WatcherStatus {
    return this.#status;
  }

  /**
   * The last failure reported (kept after recovery, for diagnostics).
   * @example
   * ```ts
   * const e = watcher.lastError();
   * if (e !== undefined) console.warn(e.phase, e.seq, e.error.code);
   * ```
   */
  lastError(): WatcherErrorEvent | undefined {
    return this.#lastError;
  }

  /**
   * Subscribes a callback; returns the unsubscribe function. `change` fires once per
   * verified log entry, in seq order; `error` for every failure; `synced` when a progress
   * note says the watcher is current. A throwing `change` callback is reported as an
   * `error` (phase `listener`) and does not stop the watcher.
   * @example
   * ```ts
   * const off = watcher.on('change', (c) => reload(c.id, c.current.descriptor));
   * watcher.on('error', (e) => log.warn({ seq: e.seq, code: e.error.code }, e.error.message));
   * ```
   */
  on<K extends keyof WatcherEvents>(event: K, fn: Listener<K>): () => void {
    return this.#signals.on(event, fn);
  }

  /**
   * Changes committed from now on, as an async iterator (exactly once each, in seq order);
   * it ends on `close()`. Leaving the loop (`break`) unsubscribes.
   * @example
   * ```ts
   * for await (const c of watcher.changes()) console.log(c.seq, c.type, c.id);
   * ```
   */
  changes(): AsyncIterableIterator<ChangeEvent> {
    return this.#signals.changes();
  }

  [Symbol.asyncIterator](): AsyncIterator<ChangeEvent> {
    return this.changes();
  }

  /**
   * Resolves once the watcher is current with the server (a progress note at its seq).
   * Rejects with `StoreUnavailable` if the watcher closes or halts first.
   * @example
   * ```ts
   * await watcher.start().synced();
   * ```
   */
  synced(): Promise<void> {
    return this.#wait(() => this.#syncedOnce);
  }

  /**
   * Resolves once the view has verified through `seq` (e.g. the `version` an apply returned).
   * @example
   * ```ts
   * const { version } = await client.apply(proposalId);
   * await watcher.waitFor(version);
   * ```
   */
  waitFor(seq: number): Promise<void> {
    return this.#wait(() => this.#seq >= seq);
  }

  /**
   * Stops following, ends the change iterators, and resolves when the loop has exited.
   * The view stays readable.
   * @example
   * ```ts
   * await watcher.close();
   * ```
   */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#status = 'closed';
      this.#signals.end();
      this.#rejectWaiters('watcher closed');
    }
    await this.#follower.close();
  }

  #wait(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    if (this.#closed || this.#status === 'halted') {
      return Promise.reject(new RegistryError('StoreUnavailable', `watcher ${this.#status}`));
    }
    return this.#signals.wait(done);
  }

  #rejectWaiters(why: string): void {
    this.#signals.rejectWaiters(
      new RegistryError('StoreUnavailable', why, this.#lastError?.error.message ?? ''),
    );
  }

  #report(e: WatcherErrorEvent): void {
    this.#lastError = e;
    this.#signals.emit('error', e);
  }

  /** What the watcher adds to the shared follower loop: its seq, its checks, its backoff policy. */
  #handler(): FollowHandler {
    let attempt = 0;
    return {
      since: () => {
        this.#status = 'connecting';
        return this.#seq;
      },
      item: async (item) => {
        if (this.#status === 'connecting') this.#status = 'syncing';
        if (item.type === 'progress') this.#progress(item.registryVersion);
        else await this.#ingest(item);
        attempt = 0;
      },
      ended: (why) => {
        attempt++;
        const failure = why === undefined ? undefined : this.#classify(why);
        const halt = failure?.phase === 'verify' && this.#opts.onVerificationFailure === 'halt';
        const delay = halt ? undefined : backoffDelay(attempt, this.#opts.backoff ?? {}, this.#random);
        if (failure !== undefined) this.#report({ ...failure, attempt, retryInMs: delay });
        if (delay === undefined) {
          this.#status = 'halted';
          this.#rejectWaiters(`watcher halted at seq ${this.#seq}`);
          return undefined;
        }
        this.#status = 'backoff';
        return delay;
      },
    };
  }

  #classify(err: unknown): { phase: WatcherPhase; seq: number | undefined; error: RegistryError } {
    if (err instanceof SeqFailure) return err;
    if (
      err instanceof RegistryError &&
      !(err instanceof RegistryResponseError) &&
      !TRANSPORT_CODES.has(err.code)
    ) {
      // A malformed stream message (SPEC §6 shape) is the server's data, refused as such.
      return { phase: 'verify', seq: this.#seq + 1, error: err };
    }
    return { phase: 'connect', seq: undefined, error: asRegistryError(err, 'watch stream failed') };
  }

  #progress(registryVersion: number): void {
    if (registryVersion < this.#seq) {
      // The server's log head is behind what we verified: a restored backup or a lagging
      // mirror. Never go back; keep listening for seq + 1.
      this.#report({
        error: new RegistryError(
          'StaleVersion',
          `server log head ${registryVersion} is behind the verified seq ${this.#seq}; not going back`,
        ),
        phase: 'progress',
        seq: undefined,
        attempt: 0,
        retryInMs: undefined,
      });
      return;
    }
    if (registryVersion !== this.#seq) return; // more entries are on their way
    this.#status = 'live';
    if (!this.#syncedOnce) this.#syncedOnce = true;
    this.#signals.settle();
    this.#signals.emit('synced', { seq: this.#seq });
  }

  /** One log entry, checked in order; throws SeqFailure and leaves the view as it was. */
  async #ingest(ev: WatchEvent): Promise<void> {
    const { descriptor_id: id, version } = ev.event.data;
    const previous = this.#view.get(id);
    const failure = (err: unknown, phase: WatcherPhase = 'verify') =>
      new SeqFailure(phase, ev.seq, asRegistryError(err, `seq ${ev.seq}: ${id} version ${version}`));
    try {
      assertNextEntry(ev, this.#seq, previous);
    } catch (err) {
      throw failure(err);
    }
    let served: DescriptorResponse;
    try {
      served = await this.#client.getVersion(id, version);
    } catch (err) {
      const e = asRegistryError(err, `seq ${ev.seq}: fetching ${id} version ${version}`);
      throw failure(e, TRANSPORT_CODES.has(e.code) ? 'fetch' : 'verify');
    }
    const d = served.descriptor;
    let governance: Governance;
    try {
      // The watcher reads parsed JSON: the served bytes' form is the mirror's concern (undefined).
      governance = verifyLogEntry(claimOf(ev), d, undefined, {
        governance: this.#governance,
        head: headRefOf(previous),
        pinned: this.#genesis,
      }).governance;
    } catch (err) {
      throw failure(err);
    }
    if (this.#closed) return;
    const current: ViewEntry = { descriptor: d, digest: served.digest, version, seq: ev.seq };
    this.#view.set(id, current);
    this.#seq = ev.seq;
    this.#governance = governance;
    const change: ChangeEvent = {
      seq: ev.seq,
      type: d.deprecated === true ? 'deprecated' : 'published',
      id,
      current,
      previous,
    };
    this.#signals.emit('change', change);
    this.#signals.settle();
  }
}
