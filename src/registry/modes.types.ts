import type { GovernanceBody, HeadRef, Payload } from '../core/index.js';
import type { Append, AppliedRecord, ProposalRecord, Store } from '../store/index.js';
import type { ApplyResult, BatchState } from './apply-batch.js';
import type { Job } from './committer.js';
import type { SerialQueues } from './serial-queue.js';
import type { Snapshot } from './snapshot.js';

/**
 * STYLE §3b: standalone, mirror and cluster differ in where proposals live, how an apply
 * becomes an entry and where genesis comes from. Each is one small strategy, chosen once
 * at `Registry.open` (an `EngineMode`); the engine never asks which mode it runs in.
 */

/** What a batch-build step is given: the batch so far and the committed heads under it. */
export type Prepare = (
  state: BatchState,
  committedHead: (id: string) => HeadRef | undefined,
) => { append: Append; result: ApplyResult };

/** The parts of the engine a strategy works with (built by the engine, handed to the mode at open). */
export interface EngineCore {
  readonly store: Store;
  readonly snapshot: Snapshot;
  /** Per-id serial queues (SPEC §3 single writer per id). */
  readonly queues: SerialQueues;
  readonly proposalTtlMs: number;
  now(): number;
  /** Queues one job into the group committer (resolves once on disk, in the snapshot and on the bus). */
  submit(job: Job<BatchState, ApplyResult>): void;
  /** `submit` as a promise. */
  commit(prepare: Prepare): Promise<ApplyResult>;
  /**
   * The one admission step every apply path runs on a live proposal right before it becomes
   * an entry (after it is found, before it is prepared or published): the engine's
   * `Admission.apply` (SPEC §12 schema checks), against the snapshot of that moment.
   */
  admitApply(record: ProposalRecord): Promise<void>;
  /** The applied record of `proposalId` (SPEC §4 `applied/`), if any. */
  applied(proposalId: string): Promise<AppliedRecord | undefined>;
  /** The answer for a proposal that is no longer live: its earlier apply result, else NotFound. */
  settled(proposalId: string): Promise<ApplyResult>;
}

/** A proposal as read, with the revision its store compares on the next write (cluster mode). */
export interface Found {
  readonly live: ProposalRecord | undefined;
  readonly revision: number | undefined;
}

/** Where proposals live: the local map and store, or the shared bucket (compare-and-set). */
export interface ProposalStore {
  /** The proposal if live, and the revision it was read at (kept for an expired record). */
  find(proposalId: string, now: number): Promise<Found>;
  /** Stores `record`; false when the record moved since `revision` (the caller merges again). */
  save(record: ProposalRecord, revision: number | undefined): Promise<boolean>;
  /** The live pending proposals (the console lists them). */
  live(now: number): ProposalRecord[];
  /** The pending gauge. */
  count(now: number): number;
  /** A committed batch applied these proposals. */
  settle(proposalIds: readonly string[]): void;
  /** Removes expired proposals; how many. */
  sweep(now: number): Promise<number>;
  /** Reads back what survives a restart (SPEC §5: pending proposals survive restarts). */
  load(now: number): Promise<void>;
  /** Forgets everything held in memory (amnesia zero-fill). */
  clear(): void;
}

/** How an apply becomes an entry: the local group commit, or a publish to the shared stream. */
export interface ApplyPath {
  /** SPEC §5 POST /apply/{id}. */
  apply(proposalId: string, appliedBy: string): Promise<ApplyResult>;
  /**
   * SPEC §5 POST /apply: a descriptor that arrived at quorum in one request. `record` was
   * admitted (SPEC §3) but never stored under `prop/`; it becomes an entry the same way.
   */
  applyAdmitted(record: ProposalRecord, appliedBy: string): Promise<ApplyResult>;
  /**
   * Runs a check against this instance's view. A cluster view may be behind the stream,
   * so there a `StaleVersion` catches up once and checks again; locally it is the answer.
   */
  current<T>(check: () => T): Promise<T>;
}

/** Where genesis comes from (SPEC §3): created here, ingested from an upstream, or pinned to the stream. */
export interface GenesisSource {
  /** The store is empty at open. `configured`: SIGNER_ALLOWLIST and SIG_THRESHOLD, if given. */
  empty(core: EngineCore, configured: GovernanceBody | undefined): Promise<void>;
  /** The store was loaded: check the configured settings against it. */
  loaded(core: EngineCore, configured: GovernanceBody | undefined): Promise<void>;
}

/** The three strategies of one mode; the factories get the engine's core at open. */
export interface EngineMode {
  proposals(core: EngineCore): ProposalStore;
  apply(core: EngineCore, proposals: ProposalStore): ApplyPath;
  readonly genesis: GenesisSource;
}

/**
 * Checks the engine runs before a proposal is admitted and before an apply is submitted,
 * against the snapshot of that moment (SPEC §12 schema checks). Throwing refuses the write;
 * nothing is stored. The default admits everything.
 */
export interface Admission {
  proposal(payload: Payload, snapshot: Snapshot): Promise<void>;
  apply(record: ProposalRecord, snapshot: Snapshot): Promise<void>;
}
