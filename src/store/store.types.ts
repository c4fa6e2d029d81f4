import type { Payload, Signature } from '../core/index.js';

export type LogType = 'published' | 'deprecated';

/** SPEC §4 `log/<seq>`: the audit trail, one entry per applied descriptor. */
export interface LogEntry {
  readonly seq: number;
  readonly type: LogType;
  readonly descriptor_id: string;
  readonly version: number;
  readonly digest: string;
  /** Apply time, Unix ms. */
  readonly ts: number;
  /** The apply token's identifier; `genesis` for seq 1. */
  readonly applied_by: string;
}

/** SPEC §4 `prop/<proposal_id>`. Times are Unix ms. */
export interface ProposalRecord {
  readonly proposal_id: string;
  readonly payload: Payload;
  /** Signatures that verified when they arrived (quorum is re-counted at apply). */
  readonly signatures: readonly Signature[];
  readonly received_at: number;
  readonly expires_at: number;
}

/** SPEC §4 `applied/<proposal_id>`: answers a repeated apply. */
export interface AppliedRecord {
  readonly descriptor_id: string;
  readonly descriptor_version: number;
  readonly version: number;
}

/** One descriptor appended by an apply; several go into one synced batch (group commit). */
export interface Append {
  readonly log: LogEntry;
  /** The exact served bytes: JCS of the whole signed descriptor. */
  readonly bytes: Uint8Array;
  readonly proposalId: string | null;
  /** New `regions/current` value when the descriptor is the region map. */
  readonly regions: Uint8Array | null;
  /** Cluster mode: the stream sequence this entry was replicated from (the follower's cursor). */
  readonly streamSeq?: number;
}
