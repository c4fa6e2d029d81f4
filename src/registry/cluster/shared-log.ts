import type {
  Append,
  ConnectionState,
  LogMessage,
  ProposalRecord,
  PublishOutcome,
  StreamMessage,
} from '../../store/index.js';
import type { ApplyResult } from '../apply-batch.js';

/** The shared proposal bucket as the engine uses it (store/nats/proposal-bucket.ts). */
export interface SharedProposals {
  /** `record` undefined: the key holds something that is not a valid proposal (replaceable). */
  get(proposalId: string): Promise<{ record: ProposalRecord | undefined; revision: number } | undefined>;
  /** Compare-and-set on `revision` (undefined: the key must be absent); false when it moved. */
  put(record: ProposalRecord, revision: number | undefined): Promise<boolean>;
  delete(proposalId: string): Promise<void>;
  values(): IterableIterator<ProposalRecord>;
}

/** A running follow of the stream; `stop` ends it, `done` settles when it has ended. */
export interface StreamFollow {
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * What cluster mode needs of the replicated log (implemented by store/nats `NatsLog`, and
 * by an in-process fake in the tests): an append-only stream with a per-id compare-and-set,
 * an ordered follow, and the shared proposal bucket.
 */
export interface StreamLog {
  readonly stream: string;
  readonly state: ConnectionState;
  readonly proposals: SharedProposals;
  publish(m: LogMessage, expectedSubjectSeq: number): Promise<PublishOutcome>;
  /** Publishes only into an empty stream; false when another instance was first. */
  publishGenesis(m: LogMessage): Promise<boolean>;
  lastSeq(): Promise<number>;
  lastSubjectSeq(id: string): Promise<number>;
  messageAt(seq: number): Promise<StreamMessage | undefined>;
  /** Delivers every message from `fromSeq` on, in order; a returned promise is backpressure. */
  follow(
    fromSeq: number,
    onMessage: (m: StreamMessage) => unknown,
    onOdd?: (what: string) => void,
  ): Promise<StreamFollow>;
}

/**
 * What the stream apply path needs of the cluster link: a publish of one checked apply
 * that answers once this instance's view holds its outcome, and a catch-up with the log.
 */
export interface SharedLog {
  readonly proposals: SharedProposals;
  /** The apply's result, its refusal (thrown), or `'conflict'` when the view was behind. */
  publish(append: Append): Promise<ApplyResult | 'conflict'>;
  /** Resolves once the view has materialized everything the log held when it was called. */
  catchUp(): Promise<void>;
}
