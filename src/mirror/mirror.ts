import {
  backoffDelay,
  type DescriptorResponse,
  RegistryClient,
  sleepUnlessWoken,
  type VerifiedHead,
  type WatchEvent,
} from '../client/index.js';
import { type GovernanceBody, parseAllowList, RegistryError } from '../core/index.js';
import type { Registry } from '../registry/index.js';
import { type Cursor, checkOrder, checkServed, Refusal } from './check-entry.js';
import type { MirrorOptions, MirrorReport, UpstreamState } from './mirror.types.js';

type Queued =
  | { readonly kind: 'event'; readonly ev: WatchEvent; readonly fetched: Promise<DescriptorResponse> }
  | { readonly kind: 'progress'; readonly version: number };

/** Codes that say the upstream could not be read, not that what it served is wrong. */
const TRANSPORT = new Set(['StoreUnavailable', 'WriteRateLimited', 'Unauthorized', 'Forbidden']);

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
  #loop: Promise<void> | undefined;
  #conn: AbortController | undefined;
  #wake: (() => void) | undefined;

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
  }

  start(): this {
    if (this.#loop === undefined && !this.#closed) this.#loop = this.#run();
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
    this.#conn?.abort();
    this.#wake?.();
    await this.#loop;
    await this.#last.catch(() => undefined);
  }

  async #run(): Promise<void> {
    let attempt = 0;
    while (!this.#closed) {
      const before = this.#cursor.seq;
      const failure = await this.#session();
      if (this.#closed) break;
      attempt = this.#cursor.seq > before && !(failure instanceof Refusal) ? 1 : attempt + 1;
      this.#fail(failure);
      const delay = backoffDelay(attempt, this.#opts.backoff ?? {}, this.#opts.random ?? Math.random);
      await sleepUnlessWoken(delay, (wake) => {
        this.#wake = wake;
      });
    }
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

  /** One connection: returns why it ended (a Refusal, a transport or store error). */
  async #session(): Promise<unknown> {
    // Start from what is committed: entries verified but not yet on disk are re-read.
    await this.#last.catch(() => undefined);
    this.#ingestError = undefined;
    const version = this.#registry.version;
    this.#cursor = {
      seq: version,
      governance: version === 0 ? undefined : this.#registry.snapshot.governance,
      heads: new Map(),
    };
    const conn = new AbortController();
    this.#conn = conn;
    if (this.#closed) return undefined;
    this.#opts.logger.info(
      { upstream: this.#opts.upstream, since: version },
      'mirror following the upstream',
    );
    const queue: Queued[] = [];
    let wake: (() => void) | undefined;
    let space: (() => void) | undefined;
    let ended = false;
    let streamError: unknown = new RegistryError('StoreUnavailable', 'upstream ended the watch stream');
    let idle: NodeJS.Timeout | undefined;
    const idleMs = this.#opts.idleTimeoutMs ?? 45_000;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        streamError = new RegistryError('StoreUnavailable', `upstream watch stream silent for ${idleMs} ms`);
        conn.abort();
      }, idleMs);
    };
    const producer = (async () => {
      try {
        arm();
        for await (const item of this.#client.watch({ since: version, signal: conn.signal })) {
          arm();
          this.#connected = true;
          if (this.#state === 'unreachable') this.#state = 'ok';
          if (item.type === 'event') {
            this.#upstreamSeq = Math.max(this.#upstreamSeq, item.seq);
            const { descriptor_id: id, version: v } = item.event.data;
            const fetched = this.#client.getVersion(id, v);
            fetched.catch(() => undefined); // awaited in order by the consumer
            queue.push({ kind: 'event', ev: item, fetched });
          } else {
            this.#upstreamSeq = item.registryVersion;
            queue.push({ kind: 'progress', version: item.registryVersion });
          }
          wake?.();
          while (queue.length >= this.#window && !conn.signal.aborted) {
            await new Promise<void>((r) => {
              space = r;
            });
          }
        }
      } catch (err) {
        if (!conn.signal.aborted) streamError = err;
      } finally {
        clearTimeout(idle);
        ended = true;
        this.#connected = false;
        wake?.();
      }
    })();
    try {
      for (;;) {
        const next = queue.shift();
        if (next === undefined) {
          if (ended || this.#closed) break;
          await new Promise<void>((r) => {
            wake = r;
          });
          wake = undefined;
          continue;
        }
        space?.();
        if (this.#closed) break; // shutting down: do not wait on fetches still in flight
        if (next.kind === 'progress') await this.#progress(next.version);
        else await this.#entry(next.ev, next.fetched);
        if (this.#ingestError !== undefined) throw this.#ingestError;
      }
      return streamError;
    } catch (err) {
      return err;
    } finally {
      conn.abort();
      space?.();
      await producer;
    }
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
      const e = err instanceof RegistryError ? err : new RegistryError('StoreUnavailable', String(err));
      // Unreachable is not untrusted; a 404 or a malformed answer for a logged entry is.
      if (TRANSPORT.has(e.code)) throw e;
      throw new Refusal(ev.seq, 'verify', e);
    }
    const { item, governance } = checkServed(ev, served, this.#cursor, head, this.#pinned);
    this.#cursor.seq = ev.seq;
    this.#cursor.governance = governance;
    this.#cursor.heads.set(id, {
      version: item.log.version,
      digest: item.log.digest,
      descriptor: { kind: item.payload.kind },
    });
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
