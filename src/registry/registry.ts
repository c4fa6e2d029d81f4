import {
  assertExtends,
  assertQuorum,
  canonicalJson,
  digestOf,
  type Governance,
  type GovernanceBody,
  genesisPayload,
  governanceOf,
  type HeadRef,
  type Payload,
  parseCosignRequest,
  parseProposalRequest,
  RegistryError,
  sameGovernance,
  signingBytes,
} from '../core/index.js';
import type { Append, AppliedRecord, LogEntry, ProposalRecord, Store } from '../store/index.js';
import { EventBus, type Subscription } from './bus.js';
import { type BatchHooks, GroupCommitter } from './committer.js';
import { descriptorBytes, type Entry, entryFromBytes, entryOf } from './entry.js';
import { type LoadReport, loadSnapshot, writeCheckpoint } from './load.js';
import { Lru } from './lru.js';
import { admit, notFound, type ProposalStatus, statusOf, tallyOf } from './proposals.js';
import { SerialQueues } from './serial-queue.js';
import { type ListQuery, Snapshot } from './snapshot.js';

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
}

/** SPEC §5 200 body of POST /apply. */
export interface ApplyResult {
  readonly version: number;
  readonly descriptor_id: string;
  readonly descriptor_version: number;
  readonly digest: string;
}

/** SPEC §5 GET /proposals/{id}. */
export interface ProposalView {
  readonly proposal_id: string;
  readonly descriptor: Payload;
  readonly signatures: ProposalRecord['signatures'];
  readonly status: 'pending' | 'ready' | 'applied';
  readonly threshold: number;
  readonly expires_at: string | null;
  readonly applied?: ApplyResult;
}

interface BatchState {
  version: number;
  now: number;
  readonly heads: Map<string, HeadRef>;
  governance: Governance;
  readonly entries: Entry[];
  readonly applied: string[];
}

const DAY = 24 * 60 * 60 * 1000;
/** Below this many heads a full load is fast anyway: no checkpoint is written after one. */
const CHECKPOINT_MIN_HEADS = 1000;

/**
 * The engine (SPEC §3, §4, §6): proposals, per-id serial apply with group commit into the
 * append-only store, the in-memory snapshot every read is served from, and the event bus.
 */
export class Registry {
  readonly store: Store;
  readonly snapshot = new Snapshot();
  readonly bus: EventBus;
  /** How the snapshot was loaded at open (undefined for a fresh genesis). */
  loaded: LoadReport | undefined;
  readonly #pending = new Map<string, ProposalRecord>();
  readonly #queues = new SerialQueues();
  readonly #committer: GroupCommitter<BatchState, ApplyResult>;
  readonly #old: Lru<string, Entry>;
  readonly #now: () => number;
  readonly #ttl: number;
  readonly #inflight = new Set<Promise<unknown>>();
  readonly #checkpointEvery: number;
  readonly #checkpoints: boolean;
  #sinceCheckpoint = 0;
  #checkpointing: Promise<void> | undefined;
  #writesDegraded = false;
  #closed = false;

  private constructor(store: Store, opts: RegistryOptions) {
    this.store = store;
    this.#now = opts.now ?? Date.now;
    this.#ttl = opts.proposalTtlMs ?? DAY;
    this.#old = new Lru(opts.readCacheCap ?? 8192);
    this.#checkpointEvery = opts.checkpointEvery ?? 10_000;
    this.#checkpoints = opts.checkpoints ?? true;
    this.bus = new EventBus(store, 0, opts.busBound);
    this.#committer = new GroupCommitter(store, this.#hooks());
  }

  /** Loads the snapshot from the store, creating the genesis on an empty one (SPEC §3). */
  static async open(store: Store, opts: RegistryOptions = {}): Promise<Registry> {
    const r = new Registry(store, opts);
    await r.#load(opts.genesis);
    return r;
  }

  get version(): number {
    return this.snapshot.version;
  }

  get writesDegraded(): boolean {
    return this.#writesDegraded;
  }

  get pendingCount(): number {
    return this.#pending.size;
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
    return this.#track(
      this.#queues.run(`prop\n${payload.id}`, async () => {
        const record = admit(payload, signatures, undefined, this.#ctx(payload.id, now));
        const existing = this.#live(record.proposal_id, now);
        const merged =
          existing === undefined ? record : admit(payload, signatures, existing, this.#ctx(payload.id, now));
        return this.#save(merged);
      }),
    );
  }

  /** SPEC §5 POST /proposals/{id}/signatures. */
  async cosign(proposalId: string, raw: unknown): Promise<ProposalStatus> {
    this.#assertOpen();
    const now = this.#now();
    const signatures = parseCosignRequest(raw);
    const first = this.#live(proposalId, now);
    if (first === undefined) throw notFound(proposalId);
    return this.#track(
      this.#queues.run(`prop\n${first.payload.id}`, async () => {
        const existing = this.#live(proposalId, now);
        if (existing === undefined) throw notFound(proposalId);
        return this.#save(admit(existing.payload, signatures, existing, this.#ctx(existing.payload.id, now)));
      }),
    );
  }

  /** SPEC §5 GET /proposals/{id}: pending, ready, or applied. */
  async proposal(proposalId: string): Promise<ProposalView> {
    const record = this.#live(proposalId, this.#now());
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
    if (applied === undefined) throw notFound(proposalId);
    const raw = await this.store.descriptor(applied.descriptor_id, applied.descriptor_version);
    if (raw === undefined) throw notFound(proposalId);
    const { descriptor } = entryFromBytes(raw);
    const { signatures, ...payload } = descriptor;
    return {
      proposal_id: proposalId,
      descriptor: payload as Payload,
      signatures,
      status: 'applied',
      threshold: tallyOf(payload as Payload, signatures, this.snapshot.governance).threshold,
      expires_at: null,
      applied: resultOf(applied, proposalId),
    };
  }

  /**
   * SPEC §5 POST /apply/{id}: through the id's serial queue into the group committer.
   * Applying an applied proposal answers the same body again.
   */
  async apply(proposalId: string, appliedBy: string): Promise<ApplyResult> {
    this.#assertOpen();
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
            prepare: (state) => this.#prepare(state, record, appliedBy),
            resolve,
            reject,
          });
        });
      }),
    );
  }

  /** Removes expired proposals from memory and the store. */
  async sweep(): Promise<number> {
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
    await this.#checkpointing;
    // A clean shutdown leaves a checkpoint, so the next start reads a few large values.
    if (
      this.store.persistent &&
      this.#sinceCheckpoint > 0 &&
      this.snapshot.heads.size >= CHECKPOINT_MIN_HEADS
    ) {
      await writeCheckpoint(this.store, this.snapshot).catch(() => undefined);
    }
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

  async #save(record: ProposalRecord): Promise<ProposalStatus> {
    try {
      await this.store.putProposal(record);
    } catch (err) {
      // SPEC §5 /readyz `writes`: a store that refuses a proposal is as degraded as one that refuses an apply.
      this.#writesDegraded = true;
      throw err;
    }
    this.#writesDegraded = false;
    this.#pending.set(record.proposal_id, record);
    return statusOf(record, this.snapshot.governance);
  }

  async #applied(proposalId: string): Promise<AppliedRecord | undefined> {
    return /^[0-9a-f]{64}$/.test(proposalId) ? this.store.applied(proposalId) : undefined;
  }

  /** SPEC §3 at apply: CAS on version/prev, quorum recounted against the governance of this moment. */
  #prepare(
    state: BatchState,
    record: ProposalRecord,
    appliedBy: string,
  ): { append: Append; result: ApplyResult } {
    const { payload } = record;
    const h = state.heads.get(payload.id) ?? this.snapshot.get(payload.id);
    assertExtends(
      payload,
      h === undefined ? undefined : { version: h.version, digest: h.digest, kind: h.kind },
    );
    const tally = tallyOf(payload, record.signatures, state.governance);
    assertQuorum(tally);
    const signers = new Set([
      ...state.governance.signers,
      ...(payload.kind === 'governance' ? payload.body.signers : []),
    ]);
    const bytes = descriptorBytes(
      payload,
      record.signatures.filter((s) => signers.has(s.signer_id)),
    );
    const append = this.#append(state, payload, bytes, record.proposal_id, record.proposal_id, appliedBy);
    return {
      append,
      result: {
        version: append.log.seq,
        descriptor_id: payload.id,
        descriptor_version: payload.version,
        digest: record.proposal_id,
      },
    };
  }

  #append(
    state: BatchState,
    payload: Payload,
    bytes: Buffer,
    digest: string,
    proposalId: string | null,
    by: string,
  ): Append {
    const seq = ++state.version;
    const log: LogEntry = {
      seq,
      type: payload.deprecated === true ? 'deprecated' : 'published',
      descriptor_id: payload.id,
      version: payload.version,
      digest,
      ts: state.now,
      applied_by: by,
    };
    state.heads.set(payload.id, { version: payload.version, digest, kind: payload.kind });
    if (payload.kind === 'governance') state.governance = governanceOf(payload);
    state.entries.push(entryOf(payload, bytes, digest));
    if (proposalId !== null) state.applied.push(proposalId);
    const regions =
      payload.kind === 'region_map'
        ? Buffer.from(
            canonicalJson({ version: payload.version, digest, regions: payload.body.regions }),
            'utf8',
          )
        : null;
    return { log, bytes, proposalId, regions };
  }

  #hooks(): BatchHooks<BatchState> {
    return {
      begin: () => ({
        version: this.snapshot.version,
        now: this.#now(),
        heads: new Map(),
        governance: this.snapshot.governance,
        entries: [],
        applied: [],
      }),
      committed: (state, appends) => this.#install(state, appends),
      failed: () => {
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
    this.#sinceCheckpoint += appends.length;
    if (this.#sinceCheckpoint >= this.#checkpointEvery) this.#checkpointSoon(false);
  }

  /** Starts a background checkpoint unless one is running (on-disk stores only). */
  #checkpointSoon(force: boolean): void {
    if (!this.#checkpoints || !this.store.persistent || this.#checkpointing !== undefined || this.#closed)
      return;
    if (!force && this.#sinceCheckpoint === 0) return;
    const at = this.#sinceCheckpoint;
    this.#checkpointing = writeCheckpoint(this.store, this.snapshot)
      .then(() => {
        this.#sinceCheckpoint -= at;
      })
      .catch(() => {
        // Only start-up speed is at stake; the next trigger tries again.
      })
      .finally(() => {
        this.#checkpointing = undefined;
      });
  }

  async #load(genesis: GovernanceBody | undefined): Promise<void> {
    const version = await this.store.version();
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
      const append = this.#append(state, payload, bytes, digestOf(signingBytes(payload)), null, 'genesis');
      await this.store.append([append]);
      this.#install(state, [append]);
      return;
    }
    const report = await loadSnapshot(this.store, this.snapshot, this.#checkpoints);
    this.loaded = report;
    // A store loaded without a checkpoint gets one in the background: the next start is fast.
    if (!report.fromCheckpoint && report.read >= CHECKPOINT_MIN_HEADS) this.#checkpointSoon(true);
    this.bus.reset(this.snapshot.version);
    const gov = this.snapshot.get('governance');
    if (genesis !== undefined && gov !== undefined) {
      const current = this.snapshot.governance;
      const body = { signers: [...current.signers], threshold: current.threshold };
      if (!sameGovernance(body, genesis)) {
        throw new RegistryError(
          'BadRequest',
          `configured signers [${genesis.signers.join(',')}] threshold ${genesis.threshold} disagree with the stored governance v${current.version}: signers [${body.signers.join(',')}] threshold ${body.threshold}`,
          'omit SIGNER_ALLOWLIST and SIG_THRESHOLD (the stored governance is authoritative) or make them match',
        );
      }
    }
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

function resultOf(a: AppliedRecord, proposalId: string): ApplyResult {
  return {
    version: a.version,
    descriptor_id: a.descriptor_id,
    descriptor_version: a.descriptor_version,
    digest: proposalId,
  };
}
