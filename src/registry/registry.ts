import {
  digestOf,
  type GovernanceBody,
  genesisPayload,
  isRegistryError,
  parseCosignRequest,
  parseProposalRequest,
  RegistryError,
  signingBytes,
} from '../core/index.js';
import type { Append, AppliedRecord, ProposalRecord, Store } from '../store/index.js';
import { type ApplyResult, appendOf, type BatchState, beginBatch, prepareApply } from './apply-batch.js';
import { EventBus, type Subscription } from './bus.js';
import { CHECKPOINT_MIN_HEADS, Checkpointer } from './checkpointer.js';
import { type BatchHooks, GroupCommitter } from './committer.js';
import { descriptorBytes, type Entry, entryFromBytes } from './entry.js';
import { assertStoredGenesis, type IngestItem, prepareIngest } from './ingest.js';
import { assertConfiguredGovernance, type LoadReport, loadSnapshot } from './load.js';
import { assertLeafFitsAtPropose } from './log/leaf-bytes.js';
import { TransparencyLog, type TransparencyLogOptions } from './log/transparency-log.js';
import { Lru } from './lru.js';
import {
  admit,
  appliedView,
  notFound,
  type ProposalStatus,
  type ProposalView,
  resultOf,
  statusOf,
} from './proposals.js';
import { prepareReplicated, type ReplicatedItem } from './replicated.js';
import { SerialQueues } from './serial-queue.js';
import type { SharedLog } from './shared-log.js';
import { type ListQuery, Snapshot } from './snapshot.js';

export type { ApplyResult, ProposalView };

export interface RegistryOptions {
  /** SPEC §3 genesis allow-list and threshold; required on an empty store, checked otherwise. */
  readonly genesis?: GovernanceBody;
  readonly proposalTtlMs?: number;
  readonly readCacheCap?: number;
  readonly busBound?: number;
  readonly now?: () => number;
  /** Applies between background start-up checkpoints (on disk only; default 10,000). */
  readonly checkpointEvery?: number;
  /** Read and write start-up checkpoints (default true; false forces a full load). */
  readonly checkpoints?: boolean;
  /**
   * SPEC §11 mirror: an empty store stays empty (seq 1 comes from the upstream through
   * `ingest`), and `genesis` is checked against the stored governance v1, not the head.
   */
  readonly mirror?: boolean;
  /**
   * Cluster mode (registry/cluster-link.ts): proposals live in the shared bucket and applies
   * are published to the shared log; this engine's store and snapshot are the local view the
   * follower materializes through `replicate`. Implies `mirror` (the genesis is seq 1 of the log).
   */
  readonly shared?: SharedLog;
  /** SPEC §13 transparency log: LOG_KEY, LOG_ORIGIN, WITNESS_QUORUM (a fresh key when absent). */
  readonly log?: TransparencyLogOptions;
}

/** How many times a proposal write is retried when another instance changed it meanwhile. */
const MERGE_ATTEMPTS = 8;

const DAY = 24 * 60 * 60 * 1000;

/**
 * The engine (SPEC §3, §4, §6): proposals, per-id serial apply with group commit into the
 * append-only store, the in-memory snapshot every read is served from, and the event bus.
 */
export class Registry {
  readonly store: Store;
  readonly snapshot = new Snapshot();
  readonly bus: EventBus;
  /** SPEC §13: the event log as a Merkle tree, extended in every committed batch. */
  readonly log: TransparencyLog;
  /** How the snapshot was loaded at open (undefined for a fresh genesis). */
  loaded: LoadReport | undefined;
  readonly #pending = new Map<string, ProposalRecord>();
  readonly #queues = new SerialQueues();
  readonly #committer: GroupCommitter<BatchState, ApplyResult>;
  readonly #old: Lru<string, Entry>;
  readonly #now: () => number;
  readonly #ttl: number;
  readonly #inflight = new Set<Promise<unknown>>();
  readonly #checkpointer: Checkpointer;
  readonly #checkpoints: boolean;
  #writesDegraded = false;
  #closed = false;
  readonly #mirror: boolean;
  readonly #shared: SharedLog | undefined;

  private constructor(store: Store, opts: RegistryOptions, log: TransparencyLog) {
    this.store = store;
    this.log = log;
    this.#now = opts.now ?? Date.now;
    this.#ttl = opts.proposalTtlMs ?? DAY;
    this.#old = new Lru(opts.readCacheCap ?? 8192);
    this.#checkpoints = opts.checkpoints ?? true;
    this.#shared = opts.shared;
    this.#mirror = (opts.mirror ?? false) || opts.shared !== undefined;
    this.#checkpointer = new Checkpointer(
      store,
      this.snapshot,
      opts.checkpointEvery ?? 10_000,
      this.#checkpoints,
    );
    this.bus = new EventBus(store, 0, opts.busBound);
    this.#committer = new GroupCommitter(store, this.#hooks());
  }

  /** Loads the snapshot from the store, creating the genesis on an empty one (SPEC §3). */
  static async open(store: Store, opts: RegistryOptions = {}): Promise<Registry> {
    const r = new Registry(store, opts, await TransparencyLog.open(store, opts.log));
    await r.#load(opts.genesis);
    r.log.warm(); // SPEC §13: partial tiles, off the start-up path
    return r;
  }

  get version(): number {
    return this.snapshot.version;
  }

  get writesDegraded(): boolean {
    return this.#writesDegraded;
  }

  get pendingCount(): number {
    // The shared bucket expires records by TTL without telling its watchers: count live ones.
    return this.#shared === undefined ? this.#pending.size : this.pendingProposals().length;
  }

  /** The live pending proposals themselves, not a copy (the console lists them); expired ones are skipped. */
  pendingProposals(): ProposalRecord[] {
    const now = this.#now();
    const all = this.#shared?.proposals.values() ?? this.#pending.values();
    return [...all].filter((p) => p.expires_at > now);
  }

  // ---- reads: all from the snapshot, the LRU, then the store ----

  head(id: string): Entry {
    const e = this.snapshot.get(id);
    if (e === undefined) throw new RegistryError('NotFound', `no descriptor ${id}`);
    return e;
  }

  async at(id: string, version: number): Promise<Entry> {
    const head = this.head(id);
    if (version === head.version) return head;
    const key = `${id}\n${version}`;
    const cached = this.#old.get(key);
    if (cached !== undefined) return cached;
    const raw = version >= 1 && version < head.version ? await this.store.descriptor(id, version) : undefined;
    if (raw === undefined) throw new RegistryError('NotFound', `${id} has no version ${version}`);
    const { entry } = entryFromBytes(raw);
    this.#old.set(key, entry);
    return entry;
  }

  async history(
    id: string,
  ): Promise<Array<{ version: number; digest: string; ts: number; deprecated: boolean }>> {
    this.head(id);
    const versions = await this.store.versions(id);
    return versions.map(([, raw]) => {
      const { entry } = entryFromBytes(raw);
      return { version: entry.version, digest: entry.digest, ts: entry.ts, deprecated: entry.deprecated };
    });
  }

  list(q: ListQuery): { items: Entry[]; more: boolean } {
    return this.snapshot.list(q);
  }

  regionMap(): Buffer {
    const r = this.snapshot.regions;
    if (r === undefined) throw new RegistryError('NotFound', 'no region map has been applied yet');
    return r.bytes;
  }

  subscribe(since: number): Subscription {
    return this.bus.subscribe(since);
  }

  // ---- writes ----

  /** SPEC §5 POST /proposals. `raw` is the parsed request JSON (attacker-controlled). */
  async propose(raw: unknown): Promise<ProposalStatus> {
    this.#assertOpen();
    const now = this.#now();
    const { payload, signatures } = parseProposalRequest(raw, now);
    // SPEC §13: a leaf must fit an entry bundle; measured exactly only when it could be close.
    if (signatures.length * 200 + JSON.stringify(payload).length > 60_000) {
      assertLeafFitsAtPropose(payload.id, descriptorBytes(payload, signatures).length);
    }
    return this.#track(
      this.#queues.run(`prop\n${payload.id}`, async () => {
        const fresh = await this.#afterCatchUp(() =>
          admit(payload, signatures, undefined, this.#ctx(payload.id, now)),
        );
        return this.#merge(fresh.proposal_id, now, (existing) =>
          existing === undefined ? fresh : admit(payload, signatures, existing, this.#ctx(payload.id, now)),
        );
      }),
    );
  }

  /** SPEC §5 POST /proposals/{id}/signatures. */
  async cosign(proposalId: string, raw: unknown): Promise<ProposalStatus> {
    this.#assertOpen();
    const now = this.#now();
    const signatures = parseCosignRequest(raw);
    const first = (await this.#find(proposalId, now)).live;
    if (first === undefined) throw notFound(proposalId);
    return this.#track(
      this.#queues.run(`prop\n${first.payload.id}`, async () =>
        this.#merge(proposalId, now, (existing) => {
          if (existing === undefined) throw notFound(proposalId);
          return admit(existing.payload, signatures, existing, this.#ctx(existing.payload.id, now));
        }),
      ),
    );
  }

  /** SPEC §5 GET /proposals/{id}: pending, ready, or applied. */
  async proposal(proposalId: string): Promise<ProposalView> {
    const record = (await this.#find(proposalId, this.#now())).live;
    if (record !== undefined) {
      const s = statusOf(record, this.snapshot.governance);
      return {
        proposal_id: proposalId,
        descriptor: record.payload,
        signatures: record.signatures,
        status: s.status,
        threshold: s.threshold,
        expires_at: s.expires_at,
      };
    }
    const applied = await this.#applied(proposalId);
    const raw = applied && (await this.store.descriptor(applied.descriptor_id, applied.descriptor_version));
    if (applied === undefined || raw === undefined) throw notFound(proposalId);
    return appliedView(proposalId, applied, entryFromBytes(raw).descriptor, this.snapshot.governance);
  }

  /**
   * SPEC §5 POST /apply/{id}: through the id's serial queue into the group committer.
   * Applying an applied proposal answers the same body again.
   */
  async apply(proposalId: string, appliedBy: string): Promise<ApplyResult> {
    // SPEC §5/§13: the 200 names the checkpoint that already covers the entry (it is
    // published before any apply of its batch is answered, and sizes only grow).
    const result = await this.#applyOnce(proposalId, appliedBy);
    return { ...result, checkpoint: { size: this.log.size } };
  }

  async #applyOnce(proposalId: string, appliedBy: string): Promise<ApplyResult> {
    this.#assertOpen();
    if (this.#shared !== undefined)
      return this.#track(this.#applyShared(this.#shared, proposalId, appliedBy));
    const first = this.#live(proposalId, this.#now());
    if (first === undefined) {
      const applied = await this.#applied(proposalId);
      if (applied !== undefined) return resultOf(applied, proposalId);
      throw notFound(proposalId);
    }
    return this.#track(
      this.#queues.run(first.payload.id, async () => {
        const record = this.#live(proposalId, this.#now());
        if (record === undefined) {
          const applied = await this.#applied(proposalId);
          if (applied !== undefined) return resultOf(applied, proposalId);
          throw notFound(proposalId);
        }
        return new Promise<ApplyResult>((resolve, reject) => {
          this.#committer.submit({
            prepare: (state) => prepareApply(state, (id) => this.snapshot.get(id), record, appliedBy),
            resolve,
            reject,
          });
        });
      }),
    );
  }

  /**
   * SPEC §11: appends one upstream log entry the mirror has verified, with the upstream's
   * seq, log entry and bytes, through the same committer, store batch, snapshot swap and
   * bus as an apply (entries queued together share one synced batch).
   */
  async ingest(item: IngestItem): Promise<ApplyResult> {
    this.#assertOpen();
    return this.#track(
      new Promise<ApplyResult>((resolve, reject) => {
        this.#committer.submit({
          prepare: (state) => prepareIngest(state, (id) => this.snapshot.get(id), item),
          resolve,
          reject,
        });
      }),
    );
  }

  /**
   * Cluster mode: materializes one stream message the follower delivers, in stream order,
   * through the same committer, store batch, snapshot swap and bus as an apply. Rejects
   * (and stores nothing) when the message fails the checks of `prepareReplicated`.
   */
  async replicate(item: ReplicatedItem): Promise<ApplyResult> {
    const shared = this.#shared;
    if (shared === undefined) throw new RegistryError('StoreUnavailable', 'replicate outside cluster mode');
    return new Promise<ApplyResult>((resolve, reject) => {
      this.#committer.submit({
        prepare: (state) => prepareReplicated(state, (id) => this.snapshot.get(id), item, shared.genesis),
        resolve,
        reject,
      });
    });
  }

  /** Removes expired proposals from memory and the store (the shared bucket expires its own). */
  async sweep(): Promise<number> {
    if (this.#shared !== undefined) return 0;
    const now = this.#now();
    const expired = [...this.#pending.values()].filter((p) => p.expires_at <= now).map((p) => p.proposal_id);
    await this.store.deleteProposals(expired);
    for (const id of expired) this.#pending.delete(id);
    return expired.length;
  }

  /** Stops taking writes, finishes in-flight applies, ends subscriptions, closes the store. */
  async close(opts: { zeroFill?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Writes already accepted finish (SPEC §8 clean shutdown); new ones are refused.
    await Promise.allSettled([...this.#inflight]);
    await this.#committer.idle();
    await this.#checkpointer.close();
    this.bus.closeAll();
    if (opts.zeroFill === true) {
      this.#zeroFill();
      await this.store.zeroFill();
    }
    await this.store.close();
  }

  // ---- internals ----

  #track<T>(p: Promise<T>): Promise<T> {
    this.#inflight.add(p);
    const done = () => this.#inflight.delete(p);
    p.then(done, done);
    return p;
  }

  #assertOpen(): void {
    if (this.#closed) throw new RegistryError('StoreUnavailable', 'registry is shutting down');
  }

  #ctx(id: string, now: number) {
    const h = this.snapshot.get(id);
    return {
      head: h === undefined ? undefined : { version: h.version, digest: h.digest, kind: h.kind },
      governance: this.snapshot.governance,
      now,
      ttlMs: this.#ttl,
    };
  }

  #live(proposalId: string, now: number): ProposalRecord | undefined {
    const p = this.#pending.get(proposalId);
    return p !== undefined && p.expires_at > now ? p : undefined;
  }

  /**
   * The proposal if it is live, and the revision it was read at (cluster mode: the shared
   * bucket's, kept even for an expired record so a new one can replace it).
   */
  async #find(
    proposalId: string,
    now: number,
  ): Promise<{ live: ProposalRecord | undefined; revision: number | undefined }> {
    if (this.#shared === undefined) return { live: this.#live(proposalId, now), revision: undefined };
    if (!/^[0-9a-f]{64}$/.test(proposalId)) return { live: undefined, revision: undefined };
    const found = await this.#shared.proposals.get(proposalId);
    const live = found !== undefined && found.record.expires_at > now ? found.record : undefined;
    return { live, revision: found?.revision };
  }

  /**
   * Runs a check against this instance's view; in cluster mode a `StaleVersion` from it may
   * only mean the view is behind the stream, so it catches up once and checks again.
   */
  async #afterCatchUp<T>(check: () => T): Promise<T> {
    try {
      return check();
    } catch (err) {
      if (this.#shared === undefined || !isRegistryError(err, 'StaleVersion')) throw err;
      await this.#shared.catchUp();
      return check();
    }
  }

  /**
   * Read, merge, write: `build` turns the live record (if any) into the one to store. In
   * cluster mode the write is a compare-and-set on the revision read, retried when another
   * instance co-signed in between, so no signature is lost.
   */
  async #merge(
    proposalId: string,
    now: number,
    build: (existing: ProposalRecord | undefined) => ProposalRecord,
  ): Promise<ProposalStatus> {
    for (let attempt = 0; attempt < MERGE_ATTEMPTS; attempt++) {
      const found = await this.#find(proposalId, now);
      const record = build(found.live);
      if (await this.#save(record, found.revision)) return statusOf(record, this.snapshot.governance);
    }
    throw new RegistryError(
      'StoreUnavailable',
      `proposal ${proposalId} kept changing under concurrent co-signatures`,
      'retry the request',
    );
  }

  /** Stores a proposal; false when (cluster mode) the shared record moved since `revision`. */
  async #save(record: ProposalRecord, revision: number | undefined): Promise<boolean> {
    try {
      if (this.#shared !== undefined) {
        if (!(await this.#shared.proposals.put(record, revision))) return false;
      } else {
        await this.store.putProposal(record);
        this.#pending.set(record.proposal_id, record);
      }
    } catch (err) {
      // SPEC §5 /readyz `writes`: a store that refuses a proposal is as degraded as one that refuses an apply.
      this.#writesDegraded = true;
      throw err;
    }
    this.#writesDegraded = false;
    return true;
  }

  /**
   * Cluster mode apply: checked here against this instance's view (CAS and quorum, as
   * standalone), then published with a per-id compare-and-set; answered from the local view
   * once it holds the outcome. A lost compare-and-set means the view was behind: catch up,
   * then check again (now `StaleVersion`, already applied, or a fresh attempt).
   */
  async #applyShared(shared: SharedLog, proposalId: string, appliedBy: string): Promise<ApplyResult> {
    let caughtUp = false;
    for (let attempt = 0; attempt < MERGE_ATTEMPTS; attempt++) {
      const first = (await this.#find(proposalId, this.#now())).live;
      if (first === undefined) {
        const applied = await this.#applied(proposalId);
        if (applied !== undefined) return resultOf(applied, proposalId);
        throw notFound(proposalId);
      }
      const outcome = await this.#queues.run(first.payload.id, async () => {
        // Under the id's queue: an apply of the same proposal just before this one won.
        const applied = await this.#applied(proposalId);
        if (applied !== undefined) return resultOf(applied, proposalId);
        const record = first;
        const state = beginBatch(this.snapshot.version, this.snapshot.governance, this.#now());
        try {
          const { append } = prepareApply(state, (id) => this.snapshot.get(id), record, appliedBy);
          return await shared.publish(append);
        } catch (err) {
          // A stale answer from a view that is merely behind the stream is not the cluster's.
          if (!caughtUp && isRegistryError(err, 'StaleVersion')) return 'conflict';
          throw err;
        }
      });
      if (outcome !== 'conflict') {
        // The bucket entry has served its purpose; a leftover one expires with the TTL.
        shared.proposals.delete(proposalId).catch(() => undefined);
        return outcome;
      }
      await shared.catchUp();
      caughtUp = true;
    }
    throw new RegistryError(
      'StoreUnavailable',
      `apply of ${proposalId} kept losing the race for its descriptor id`,
      'retry the apply',
    );
  }

  async #applied(proposalId: string): Promise<AppliedRecord | undefined> {
    return /^[0-9a-f]{64}$/.test(proposalId) ? this.store.applied(proposalId) : undefined;
  }

  #hooks(): BatchHooks<BatchState> {
    return {
      begin: () => beginBatch(this.snapshot.version, this.snapshot.governance, this.#now()),
      seal: (appends) => this.log.extend(appends),
      committed: (state, appends) => {
        this.log.committed();
        this.#install(state, appends);
      },
      failed: () => {
        this.log.failed();
        this.#writesDegraded = true;
      },
    };
  }

  /** Swaps the committed batch into the snapshot, then tells the bus (SPEC §6 order). */
  #install(state: BatchState, appends: readonly Append[]): void {
    this.#writesDegraded = false;
    for (const e of state.entries) {
      const old = this.snapshot.get(e.id);
      if (old !== undefined) this.#old.set(`${old.id}\n${old.version}`, old);
      this.snapshot.put(e);
      if (e.kind === 'region_map') {
        const a = appends.find((x) => x.log.descriptor_id === e.id && x.log.version === e.version);
        if (a?.regions) this.snapshot.regions = { bytes: Buffer.from(a.regions), etag: e.etag };
      }
    }
    for (const id of state.applied) this.#pending.delete(id);
    this.snapshot.governance = state.governance;
    this.snapshot.version = state.version;
    this.bus.publish(appends.map((a) => a.log));
    this.#checkpointer.applied(appends.length);
  }

  async #load(genesis: GovernanceBody | undefined): Promise<void> {
    const version = await this.store.version();
    if (version === 0 && this.#mirror) return; // seq 1 is the upstream's genesis, ingested
    if (version === 0) {
      if (genesis === undefined) {
        throw new RegistryError(
          'BadRequest',
          'empty store: SIGNER_ALLOWLIST and SIG_THRESHOLD are required for genesis',
        );
      }
      const payload = genesisPayload(genesis, this.#now());
      const state = this.#hooks().begin();
      const bytes = descriptorBytes(payload, []);
      const append = appendOf(state, payload, bytes, digestOf(signingBytes(payload)), null, 'genesis');
      const hooks = this.#hooks();
      await this.store.append([append], await this.log.extend([append]));
      hooks.committed(state, [append]);
      return;
    }
    const report = await loadSnapshot(this.store, this.snapshot, this.#checkpoints);
    this.loaded = report;
    // A store loaded without a checkpoint gets one in the background: the next start is fast.
    if (!report.fromCheckpoint && report.read >= CHECKPOINT_MIN_HEADS) this.#checkpointer.soon();
    this.bus.reset(this.snapshot.version);
    if (genesis !== undefined && this.#mirror) await assertStoredGenesis(this.store, genesis);
    else if (genesis !== undefined) assertConfiguredGovernance(this.snapshot.governance, genesis);
    const now = this.#now();
    for (const p of await this.store.proposals()) {
      if (p.expires_at > now) this.#pending.set(p.proposal_id, p);
    }
  }

  #zeroFill(): void {
    for (const e of this.snapshot.heads.values()) e.bytes.fill(0);
    for (const e of this.#old.values()) e.bytes.fill(0);
    this.snapshot.regions?.bytes.fill(0);
    this.snapshot.heads.clear();
    this.#old.clear();
    this.#pending.clear();
  }
}
