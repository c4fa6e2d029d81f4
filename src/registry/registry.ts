import {
  assertQuorum,
  digestOf,
  type GovernanceBody,
  type Payload,
  parseCosignRequest,
  parseProposalRequest,
  RegistryError,
  type Signature,
  signingBytes,
  tallyOf,
} from '../core/index.js';
import type { Append, AppliedRecord, ProposalRecord, Store } from '../store/index.js';
import { type ApplyResult, type BatchState, beginBatch } from './apply-batch.js';
import { EventBus } from './bus.js';
import { CHECKPOINT_MIN_HEADS, Checkpointer } from './checkpointer.js';
import { type BatchHooks, GroupCommitter } from './committer.js';
import { descriptorBytes, entryFromBytes } from './entry.js';
import { type IngestItem, prepareIngest } from './ingest.js';
import { type LoadReport, loadSnapshot } from './load.js';
import { standaloneMode } from './local-mode.js';
import { assertLeafFitsAtPropose } from './log/leaf-bytes.js';
import { TransparencyLog } from './log/transparency-log.js';
import type { Admission, ApplyPath, EngineCore, GenesisSource, ProposalStore } from './modes.types.js';
import {
  admit,
  appliedView,
  notFound,
  type ProposalStatus,
  type ProposalView,
  pendingView,
  resultOf,
  statusOf,
} from './proposals.js';
import { RegistryReader } from './reader.js';
import type { RegistryOptions } from './registry.types.js';
import { SchemaCatalog } from './schema-catalog.js';
import { SerialQueues } from './serial-queue.js';
import { Snapshot } from './snapshot.js';

export type { ApplyResult, ProposalView, RegistryOptions };

/** SPEC §13: a leaf must fit an entry bundle; measured exactly only when it could be close. */
function assertFitsLog(payload: Payload, signatures: readonly Signature[]): void {
  if (signatures.length * 200 + JSON.stringify(payload).length > 60_000) {
    assertLeafFitsAtPropose(payload.id, descriptorBytes(payload, signatures).length);
  }
}

/** How many times a proposal write is retried when another instance changed it meanwhile. */
const MERGE_ATTEMPTS = 8;

const DAY = 24 * 60 * 60 * 1000;

/**
 * The engine (SPEC §3, §4, §6): proposals, per-id serial apply with group commit into the
 * append-only store, the in-memory snapshot every read is served from, and the event bus.
 * What differs between standalone, mirror and cluster is the `EngineMode` given at open.
 */
export class Registry extends RegistryReader {
  /** SPEC §13: the event log as a Merkle tree, extended in every committed batch. */
  readonly log: TransparencyLog;
  /** How the snapshot was loaded at open (undefined for a fresh genesis). */
  loaded: LoadReport | undefined;
  /** SPEC §12 schemas: documents, references, validators compiled once per digest. */
  readonly schemas: SchemaCatalog;
  readonly #queues = new SerialQueues();
  readonly #committer: GroupCommitter<BatchState, ApplyResult>;
  readonly #now: () => number;
  readonly #ttl: number;
  readonly #inflight = new Set<Promise<unknown>>();
  readonly #checkpointer: Checkpointer;
  readonly #checkpoints: boolean;
  readonly #admission: Admission;
  readonly #core: EngineCore;
  readonly #proposals: ProposalStore;
  readonly #applyPath: ApplyPath;
  readonly #genesis: GenesisSource;
  #writesDegraded = false;
  #closed = false;

  private constructor(store: Store, opts: RegistryOptions, log: TransparencyLog) {
    const snapshot = new Snapshot();
    super(store, snapshot, new EventBus(store, 0, opts.busBound), opts.readCacheCap ?? 8192);
    this.log = log;
    this.#now = opts.now ?? Date.now;
    this.#ttl = opts.proposalTtlMs ?? DAY;
    this.#checkpoints = opts.checkpoints ?? true;
    this.schemas = new SchemaCatalog(this, { checker: opts.compatibility });
    // SPEC §12: schema and contract checks at propose and again at apply, unless replaced.
    this.#admission = opts.admission ?? this.schemas.admission;
    this.#checkpointer = new Checkpointer(store, snapshot, opts.checkpointEvery ?? 10_000, this.#checkpoints);
    this.#committer = new GroupCommitter(store, this.#hooks());
    this.#core = this.#coreOf();
    const mode = opts.mode ?? standaloneMode;
    this.#proposals = mode.proposals(this.#core);
    this.#applyPath = mode.apply(this.#core, this.#proposals);
    this.#genesis = mode.genesis;
  }

  /** Loads the snapshot from the store; an empty one gets its genesis from the mode (SPEC §3). */
  static async open(store: Store, opts: RegistryOptions = {}): Promise<Registry> {
    const r = new Registry(store, opts, await TransparencyLog.open(store, opts.log));
    await r.#load(opts.genesis);
    r.log.warm(); // SPEC §13: partial tiles, off the start-up path
    return r;
  }

  get writesDegraded(): boolean {
    return this.#writesDegraded;
  }

  get pendingCount(): number {
    return this.#proposals.count(this.#now());
  }

  /** The live pending proposals themselves, not a copy (the console lists them); expired ones are skipped. */
  pendingProposals(): ProposalRecord[] {
    return this.#proposals.live(this.#now());
  }

  // ---- writes ----

  /** SPEC §5 POST /proposals. `raw` is the parsed request JSON (attacker-controlled). */
  async propose(raw: unknown): Promise<ProposalStatus> {
    this.#assertOpen();
    const now = this.#now();
    const { payload, signatures } = parseProposalRequest(raw, now);
    assertFitsLog(payload, signatures);
    return this.#track(
      this.#queues.run(`prop\n${payload.id}`, async () => {
        const fresh = await this.#applyPath.current(() =>
          admit(payload, signatures, undefined, this.#ctx(payload.id, now)),
        );
        // The one admission step of a proposal (SPEC §12), after the SPEC §3 checks.
        await this.#admission.proposal(payload, this.mutableSnapshot);
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
    const first = (await this.#proposals.find(proposalId, now)).live;
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
    const record = (await this.#proposals.find(proposalId, this.#now())).live;
    if (record !== undefined) return pendingView(record, this.mutableSnapshot.governance);
    const applied = await this.#applied(proposalId);
    const raw =
      applied && (await this.mutableStore.descriptor(applied.descriptor_id, applied.descriptor_version));
    if (applied === undefined || raw === undefined) throw notFound(proposalId);
    return appliedView(proposalId, applied, entryFromBytes(raw).descriptor, this.mutableSnapshot.governance);
  }

  /** SPEC §5 POST /apply/{id}, through the mode's apply path. */
  async apply(proposalId: string, appliedBy: string): Promise<ApplyResult> {
    // SPEC §5/§13: the 200 names the checkpoint that already covers the entry (it is
    // published before any apply of its batch is answered, and sizes only grow).
    const result = await this.#applyOnce(proposalId, appliedBy);
    return { ...result, checkpoint: { size: this.log.size } };
  }

  async #applyOnce(proposalId: string, appliedBy: string): Promise<ApplyResult> {
    this.#assertOpen();
    return this.#track(this.#applyPath.apply(proposalId, appliedBy));
  }

  /**
   * SPEC §5 POST /apply: a descriptor already at quorum, admitted and applied in one request
   * through the mode's apply path; the proposal is never stored under `prop/`. The same
   * upload after it applied answers the same body (its `applied/` record).
   */
  async applySigned(raw: unknown, appliedBy: string): Promise<ApplyResult> {
    this.#assertOpen();
    const now = this.#now();
    const { payload, signatures } = parseProposalRequest(raw, now);
    assertFitsLog(payload, signatures);
    const proposalId = digestOf(signingBytes(payload));
    const result = await this.#track(
      (async () => {
        // Before the head check: once applied, the payload no longer extends the head. Only a
        // head at or past this version can have come from it, so new uploads skip the store read.
        const head = this.mutableSnapshot.get(payload.id);
        if (
          head !== undefined &&
          head.version >= payload.version &&
          (await this.#applied(proposalId)) !== undefined
        ) {
          return this.#core.settled(proposalId);
        }
        const record = await this.#applyPath.current(() =>
          admit(payload, signatures, undefined, this.#ctx(payload.id, now)),
        );
        assertQuorum(tallyOf(payload, record.signatures, this.mutableSnapshot.governance));
        // The proposal's admission step (SPEC §12); the apply path runs the apply's.
        await this.#admission.proposal(payload, this.mutableSnapshot);
        return this.#applyPath.applyAdmitted(record, appliedBy);
      })(),
    );
    // SPEC §5/§13: as `apply`, the 200 names the checkpoint that already covers the entry.
    return { ...result, checkpoint: { size: this.log.size } };
  }

  /**
   * SPEC §11: appends one upstream log entry the mirror has verified, with the upstream's
   * seq, log entry and bytes, through the same committer, store batch, snapshot swap and
   * bus as an apply (entries queued together share one synced batch).
   */
  async ingest(item: IngestItem): Promise<ApplyResult> {
    this.#assertOpen();
    return this.#track(this.#core.commit((state, head) => prepareIngest(state, head, item)));
  }

  /** Removes expired proposals from memory and the store (the shared bucket expires its own). */
  async sweep(): Promise<number> {
    return this.#proposals.sweep(this.#now());
  }

  /** Stops taking writes, finishes in-flight applies, ends subscriptions, closes the store. */
  async close(opts: { zeroFill?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Writes already accepted finish (SPEC §8 clean shutdown); new ones are refused.
    await Promise.allSettled([...this.#inflight]);
    await this.#committer.idle();
    await this.#checkpointer.close();
    this.mutableBus.closeAll();
    if (opts.zeroFill === true) {
      this.#zeroFill();
      await this.mutableStore.zeroFill();
    }
    await this.mutableStore.close();
  }

  // ---- internals ----

  #coreOf(): EngineCore {
    const head = (id: string) => this.mutableSnapshot.get(id);
    const submit = (job: Parameters<EngineCore['submit']>[0]) => this.#committer.submit(job);
    return {
      store: this.mutableStore,
      snapshot: this.mutableSnapshot,
      queues: this.#queues,
      proposalTtlMs: this.#ttl,
      now: () => this.#now(),
      submit,
      commit: (prepare) =>
        new Promise<ApplyResult>((resolve, reject) => {
          submit({ prepare: (state) => prepare(state, head), resolve, reject });
        }),
      admitApply: (record) => this.#admission.apply(record, this.mutableSnapshot),
      applied: (proposalId) => this.#applied(proposalId),
      settled: async (proposalId) => {
        const applied = await this.#applied(proposalId);
        if (applied !== undefined) return resultOf(applied, proposalId);
        throw notFound(proposalId);
      },
    };
  }

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
    const h = this.mutableSnapshot.get(id);
    return {
      head: h === undefined ? undefined : { version: h.version, digest: h.digest, kind: h.kind },
      governance: this.mutableSnapshot.governance,
      now,
      ttlMs: this.#ttl,
    };
  }

  /**
   * Read, merge, write: `build` turns the live record (if any) into the one to store. A
   * shared store compares on the revision read; a write that lost to another instance's
   * co-signature is merged again, so no signature is lost.
   */
  async #merge(
    proposalId: string,
    now: number,
    build: (existing: ProposalRecord | undefined) => ProposalRecord,
  ): Promise<ProposalStatus> {
    for (let attempt = 0; attempt < MERGE_ATTEMPTS; attempt++) {
      const found = await this.#proposals.find(proposalId, now);
      const record = build(found.live);
      if (await this.#save(record, found.revision)) return statusOf(record, this.mutableSnapshot.governance);
    }
    throw new RegistryError(
      'StoreUnavailable',
      `proposal ${proposalId} kept changing under concurrent co-signatures`,
      'retry the request',
    );
  }

  async #save(record: ProposalRecord, revision: number | undefined): Promise<boolean> {
    let saved: boolean;
    try {
      saved = await this.#proposals.save(record, revision);
    } catch (err) {
      // SPEC §5 /readyz `writes`: a store that refuses a proposal is as degraded as one that refuses an apply.
      this.#writesDegraded = true;
      throw err;
    }
    this.#writesDegraded = false;
    return saved;
  }

  async #applied(proposalId: string): Promise<AppliedRecord | undefined> {
    return /^[0-9a-f]{64}$/.test(proposalId) ? this.mutableStore.applied(proposalId) : undefined;
  }

  #hooks(): BatchHooks<BatchState> {
    return {
      begin: () => beginBatch(this.mutableSnapshot.version, this.mutableSnapshot.governance, this.#now()),
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
      const old = this.mutableSnapshot.get(e.id);
      if (old !== undefined) this.old.set(`${old.id}\n${old.version}`, old);
      this.mutableSnapshot.put(e);
      if (e.kind === 'region_map') {
        const a = appends.find((x) => x.log.descriptor_id === e.id && x.log.version === e.version);
        if (a?.regions) this.mutableSnapshot.regions = { bytes: Buffer.from(a.regions), etag: e.etag };
      }
    }
    this.#proposals.settle(state.applied);
    this.mutableSnapshot.governance = state.governance;
    this.mutableSnapshot.version = state.version;
    this.mutableBus.publish(appends.map((a) => a.log));
    this.#checkpointer.applied(appends.length);
  }

  async #load(genesis: GovernanceBody | undefined): Promise<void> {
    if ((await this.mutableStore.version()) === 0) {
      await this.#genesis.empty(this.#core, genesis);
      return;
    }
    const report = await loadSnapshot(this.mutableStore, this.mutableSnapshot, this.#checkpoints);
    this.loaded = report;
    // A store loaded without a checkpoint gets one in the background: the next start is fast.
    if (!report.fromCheckpoint && report.read >= CHECKPOINT_MIN_HEADS) this.#checkpointer.soon();
    this.mutableBus.reset(this.mutableSnapshot.version);
    await this.#genesis.loaded(this.#core, genesis);
    await this.#proposals.load(this.#now());
  }

  #zeroFill(): void {
    this.zeroFillReads();
    this.#proposals.clear();
  }
}
