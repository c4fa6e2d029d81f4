import {
  asRegistryError,
  backoffDelay,
  type DescriptorResponse,
  type FollowHandler,
  LogFollower,
  RegistryClient,
  TRANSPORT_CODES,
  type VerifiedHead,
  type WatchEvent,
} from '../client/index.js';
import { type GovernanceBody, parseAllowList, RegistryError } from '../core/index.js';
import type { Registry } from '../registry/index.js';
import { advanceCursor, type Cursor, checkOrder, checkServed, Refusal } from './check-entry.js';
import type { MirrorOptions, MirrorReport, UpstreamState } from './mirror.types.js';

/** `p`, or a rejection once `signal` aborts (a fetch the upstream never answers must not hold up close). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  const raced = new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new RegistryError('StoreUnavailable', 'connection closed'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
  raced.catch(() => undefined); // an entry refused before its fetch is awaited never reads it
  return raced;
}

/**
 * SPEC §11 read replica: follows the upstream's `/watch` from the store's last seq (0 when
 * empty), fetches each logged version, verifies it with the client's watcher checks under
 * the governance of its log position, and ingests it into the local engine with the
 * upstream's seq, log entry and bytes. Fetches run `window` entries ahead; verification
 * and ingestion stay strictly in seq order, and ingests queued together share one batch.
 *
 * A refused entry stops the advance: everything before it stays served, `upstream` turns
 * `untrusted`, and after backoff the mirror re-reads from its last good seq, since an
 * upstream can be repaired; only an entry that verifies clears `untrusted`.
 */
export class Mirror {
  readonly #opts: MirrorOptions;
  readonly #registry: Registry;
  readonly #client: RegistryClient;
  readonly #pinned: GovernanceBody;
  readonly #now: () => number;
  readonly #window: number;
  #cursor: Cursor = { seq: 0, governance: undefined, heads: new Map() };
  #state: UpstreamState = 'unreachable';
  #caughtUp = false;
  #refusedSeq: number | undefined;
  #upstreamSeq = 0;
  #connected = false;
  #currentAt: number;
  #pending = 0;
  #last: Promise<unknown> = Promise.resolve();
  #ingestError: unknown;
  #closed = false;
  readonly #follower: LogFollower;

  constructor(opts: MirrorOptions) {
    this.#opts = opts;
    this.#registry = opts.registry;
    this.#pinned = parseAllowList(opts.genesis.signers, opts.genesis.threshold);
    this.#client = new RegistryClient({
      baseUrl: opts.upstream,
      ...(opts.token === undefined ? {} : { token: opts.token }),
      ...(opts.fetch === undefined ? {} : { fetch: opts.fetch }),
    });
    this.#now = opts.now ?? Date.now;
    this.#window = opts.window ?? 64;
    this.#currentAt = this.#now();
    this.#follower = new LogFollower(this.#client, this.#handler(), {
      ...(opts.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: opts.idleTimeoutMs }),
    });
  }

  start(): this {
    if (!this.#closed) this.#follower.start();
    return this;
  }

  report(): MirrorReport {
    const lagSeqs = Math.max(0, this.#upstreamSeq - this.#registry.version);
    const current = this.#connected && lagSeqs === 0 && this.#state === 'ok' && this.#pending === 0;
    if (current) this.#currentAt = this.#now();
    return {
      upstreamUrl: this.#opts.upstream,
      caughtUp: this.#caughtUp,
      upstream: this.#state,
      lagSeqs,
      lagSeconds: current ? 0 : Math.max(0, (this.#now() - this.#currentAt) / 1000),
      refusedSeq: this.#refusedSeq,
    };
  }

  /** Stops following; entries already verified finish committing. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#follower.close();
    await this.#last.catch(() => undefined);
  }

  /**
   * What the mirror adds to the shared follower loop: it resumes from what is committed,
   * prefetches `window` logged versions ahead while verifying and ingesting strictly in seq
   * order, and backs off (resetting the count only when a session advanced and was not a refusal).
   */
  #handler(): FollowHandler {
    let attempt = 0;
    let before = 0;
    let chain: Promise<void> = Promise.resolve();
    const queued: Array<Promise<void>> = [];
    return {
      since: async () => {
        // Start from what is committed: entries verified but not yet on disk are re-read.
        await this.#last.catch(() => undefined);
        this.#ingestError = undefined;
        const version = this.#registry.version;
        this.#cursor = {
          seq: version,
          governance: version === 0 ? undefined : this.#registry.snapshot.governance,
          heads: new Map(),
        };
        before = version;
        chain = Promise.resolve();
        this.#opts.logger.info(
          { upstream: this.#opts.upstream, since: version },
          'mirror following the upstream',
        );
        return version;
      },
      item: (item, session) => {
        this.#connected = true;
        if (this.#state === 'unreachable') this.#state = 'ok';
        let step: () => Promise<void>;
        if (item.type === 'event') {
          this.#upstreamSeq = Math.max(this.#upstreamSeq, item.seq);
          const { descriptor_id: id, version: v } = item.event.data;
          const fetched = this.#client.getVersion(id, v);
          fetched.catch(() => undefined); // awaited in order below
          step = () => this.#entry(item, untilAborted(fetched, session.signal));
        } else {
          this.#upstreamSeq = item.registryVersion;
          step = () => this.#progress(item.registryVersion);
        }
        const job = chain.then(async () => {
          // Shutting down or failed: do not wait on fetches still in flight.
          if (session.signal.aborted || this.#closed) return;
          try {
            await step();
            if (this.#ingestError !== undefined) throw this.#ingestError;
          } catch (err) {
            session.abort(err);
          }
        });
        chain = job;
        queued.push(job);
        void job.then(() => queued.splice(queued.indexOf(job), 1));
        return queued.length >= this.#window ? queued[0] : undefined;
      },
      settle: async () => {
        this.#connected = false;
        await chain;
      },
      ended: (why) => {
        const failure = why ?? new RegistryError('StoreUnavailable', 'upstream ended the watch stream');
        attempt = this.#cursor.seq > before && !(failure instanceof Refusal) ? 1 : attempt + 1;
        this.#fail(failure);
        return backoffDelay(attempt, this.#opts.backoff ?? {}, this.#opts.random ?? Math.random);
      },
    };
  }

  #fail(failure: unknown): void {
    const upstream = this.#opts.upstream;
    if (failure instanceof Refusal) {
      this.#state = 'untrusted';
      this.#refusedSeq = failure.seq;
      this.#opts.onRefused?.(failure.reason);
      this.#opts.logger.error(
        { upstream, seq: failure.seq, reason: failure.reason, code: failure.error.code },
        `mirror refused upstream seq ${failure.seq} (${failure.reason}): ${failure.error.message}; serving seq ${this.#registry.version}`,
      );
      return;
    }
    const err = failure instanceof RegistryError ? failure : undefined;
    if (this.#state !== 'untrusted') this.#state = 'unreachable';
    this.#opts.logger.warn(
      { upstream, seq: this.#registry.version, code: err?.code },
      `mirror lost the upstream: ${err?.message ?? String(failure)}`,
    );
  }

  #head(id: string): VerifiedHead | undefined {
    const h = this.#cursor.heads.get(id);
    if (h !== undefined) return h;
    const e = this.#registry.snapshot.get(id);
    return e === undefined
      ? undefined
      : { version: e.version, digest: e.digest, descriptor: { kind: e.kind } };
  }

  async #entry(ev: WatchEvent, fetched: Promise<DescriptorResponse>): Promise<void> {
    const id = ev.event.data.descriptor_id;
    const head = this.#head(id);
    checkOrder(ev, this.#cursor, head);
    let served: DescriptorResponse;
    try {
      served = await fetched;
    } catch (err) {
      const e = asRegistryError(err, `fetching seq ${ev.seq}`);
      // Unreachable is not untrusted; a 404 or a malformed answer for a logged entry is.
      if (TRANSPORT_CODES.has(e.code)) throw e;
      throw new Refusal(ev.seq, 'verify', e);
    }
    const { item, governance } = checkServed(ev, served, this.#cursor, head, this.#pinned);
    advanceCursor(this.#cursor, ev.seq, item, governance);
    if (this.#refusedSeq !== undefined && ev.seq >= this.#refusedSeq) {
      this.#refusedSeq = undefined;
      this.#state = 'ok';
      this.#opts.logger.info(
        { upstream: this.#opts.upstream, seq: ev.seq },
        'mirror: upstream verifies again',
      );
    }
    this.#pending++;
    const p = this.#registry.ingest(item).then(
      () => {
        if (--this.#pending === 0) this.#cursor.heads.clear(); // all in the snapshot now
      },
      (err: unknown) => {
        this.#pending--;
        this.#ingestError ??= err;
      },
    );
    this.#last = p;
    // Bound what is verified but not yet committed (memory, and what a store failure re-reads).
    if (this.#pending >= 4096) await p;
  }

  async #progress(upstreamHead: number): Promise<void> {
    if (upstreamHead < this.#cursor.seq) {
      throw new Refusal(
        upstreamHead,
        'behind',
        new RegistryError(
          'StaleVersion',
          `upstream log head ${upstreamHead} is behind the mirrored seq ${this.#cursor.seq}; not going back`,
        ),
      );
    }
    if (upstreamHead !== this.#cursor.seq) return; // more entries are on their way
    await this.#last;
    if (this.#ingestError !== undefined) return;
    this.#currentAt = this.#now();
    if (this.#state !== 'ok') {
      // Current with an upstream that now serves a log that verifies end to end.
      this.#state = 'ok';
      this.#refusedSeq = undefined;
    }
    if (!this.#caughtUp) {
      this.#caughtUp = true;
      this.#opts.logger.info(
        { upstream: this.#opts.upstream, seq: upstreamHead },
        'mirror caught up with the upstream',
      );
      this.#opts.onCaughtUp?.();
    }
  }
}
