import {
  assertExtends,
  assertQuorum,
  canonicalJson,
  type Governance,
  governanceOf,
  type HeadRef,
  type Payload,
  tallyOf,
} from '../core/index.js';
import type { Append, LogEntry, ProposalRecord } from '../store/index.js';
import { descriptorBytes, type Entry, entryOf } from './entry.js';
import { assertLeafFits } from './log/leaf-bytes.js';

/** SPEC §5 200 body of POST /apply. */
export interface ApplyResult {
  readonly version: number;
  readonly descriptor_id: string;
  readonly descriptor_version: number;
  readonly digest: string;
  /** SPEC §13: the signed checkpoint that already covers this entry (added by the engine). */
  readonly checkpoint?: { readonly size: number };
}

/**
 * The state a group of applies is checked against while it is being built: the committed
 * snapshot plus whatever earlier applies of the same batch changed (a rotation early in a
 * batch governs the applies after it).
 */
export interface BatchState {
  version: number;
  readonly now: number;
  readonly heads: Map<string, HeadRef>;
  governance: Governance;
  readonly entries: Entry[];
  readonly applied: string[];
}

export function beginBatch(version: number, governance: Governance, now: number): BatchState {
  return { version, now, heads: new Map(), governance, entries: [], applied: [] };
}

/**
 * SPEC §3 at apply time, against `state` (the committed `head` lookup underneath): CAS on
 * version/prev, quorum recounted against the governance of this moment. The stored
 * descriptor keeps only the signatures of signers allow-listed now, so a reader verifying
 * it under the governance of its log position sees no foreign signer.
 */
export function prepareApply(
  state: BatchState,
  committedHead: (id: string) => HeadRef | undefined,
  record: ProposalRecord,
  appliedBy: string,
): { append: Append; result: ApplyResult } {
  const { payload } = record;
  assertExtends(payload, state.heads.get(payload.id) ?? committedHead(payload.id));
  assertQuorum(tallyOf(payload, record.signatures, state.governance));
  const signers = new Set([
    ...state.governance.signers,
    ...(payload.kind === 'governance' ? payload.body.signers : []),
  ]);
  const bytes = descriptorBytes(
    payload,
    record.signatures.filter((s) => signers.has(s.signer_id)),
  );
  const append = appendOf(state, payload, bytes, record.proposal_id, record.proposal_id, appliedBy);
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

/** Assigns the next seq and records what the batch writes (desc, head, log, regions, applied). */
export function appendOf(
  state: BatchState,
  payload: Payload,
  bytes: Buffer,
  digest: string,
  proposalId: string | null,
  by: string,
): Append {
  const log: LogEntry = {
    seq: state.version + 1,
    type: payload.deprecated === true ? 'deprecated' : 'published',
    descriptor_id: payload.id,
    version: payload.version,
    digest,
    ts: state.now,
    applied_by: by,
  };
  // SPEC §13: refused before the batch state moves, so only this apply fails.
  assertLeafFits(log, bytes);
  state.version = log.seq;
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
