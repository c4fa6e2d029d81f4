import type { GovernanceBody } from '../core/index.js';
import type { TransparencyLogOptions } from './log/transparency-log.js';
import type { Admission, EngineMode } from './modes.types.js';
import type { CompatChecker } from './schema-rules.js';

export interface RegistryOptions {
  /** SPEC §3 genesis allow-list and threshold; required on an empty standalone store, checked otherwise. */
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
   * STYLE §3b: where proposals live, how an apply becomes an entry and where genesis comes
   * from (default `standaloneMode`; `mirrorMode`, or cluster mode's from `openCluster`).
   */
  readonly mode?: EngineMode;
  /** Checks before a proposal is admitted and before an apply is submitted (SPEC §12). */
  readonly admission?: Admission;
  /** SPEC §12 compatibility checker enforced at propose and apply (core/schema-compat). */
  readonly compatibility?: CompatChecker;
  /** SPEC §13 transparency log: LOG_KEY, LOG_ORIGIN, WITNESS_QUORUM (a fresh key when absent). */
  readonly log?: TransparencyLogOptions;
}
