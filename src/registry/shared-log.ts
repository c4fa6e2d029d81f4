import type { GovernanceBody } from '../core/index.js';
import type { Append, ProposalRecord } from '../store/index.js';
import type { ApplyResult } from './apply-batch.js';

/** The shared proposal bucket as the engine uses it (store/nats/proposal-bucket.ts). */
export interface SharedProposals {
  get(proposalId: string): Promise<{ record: ProposalRecord; revision: number } | undefined>;
  /** Compare-and-set on `revision` (undefined: the key must be absent); false when it moved. */
  put(record: ProposalRecord, revision: number | undefined): Promise<boolean>;
  delete(proposalId: string): Promise<void>;
  values(): IterableIterator<ProposalRecord>;
}

/**
 * What the engine needs of cluster mode (implemented by `ClusterLink`): the shared
 * proposals, a publish of one checked apply that answers once this instance's view holds
 * its outcome, and a catch-up with the shared log.
 */
export interface SharedLog {
  /** The pinned genesis every instance checks seq 1 against. */
  readonly genesis: GovernanceBody;
  readonly proposals: SharedProposals;
  /** The apply's result, its refusal (thrown), or `'conflict'` when the view was behind. */
  publish(append: Append): Promise<ApplyResult | 'conflict'>;
  /** Resolves once the view has materialized everything the log held when it was called. */
  catchUp(): Promise<void>;
}
