import {
  assertExtends,
  digestOf,
  type GovernanceBody,
  type HeadRef,
  type Payload,
  payloadOf,
  RegistryError,
  sameGovernance,
  signingBytes,
} from '../core/index.js';
import type { Append, LogEntry, Store } from '../store/index.js';
import { type ApplyResult, appendOf, type BatchState } from './apply-batch.js';
import { parseAppliedDescriptor } from './entry.js';

/**
 * One upstream log entry a mirror (SPEC §11) has verified, with the exact bytes the
 * upstream serves for it. The mirror's own store gets the upstream's seq, log entry and
 * bytes, so its reads and `/watch` are the upstream's.
 */
export interface IngestItem {
  readonly log: LogEntry;
  readonly bytes: Buffer;
  readonly payload: Payload;
}

/**
 * The engine's own checks on an ingested entry, at batch-build time (like `prepareApply`):
 * the seq is exactly the next one, the log entry names this payload, and the payload
 * extends the head (version + 1, prev = head digest, same kind). Signatures and quorum were
 * verified by the mirror under the governance of the entry's log position; these checks
 * keep the store append-only and gap-free even if a caller skips that.
 */
export function prepareIngest(
  state: BatchState,
  committedHead: (id: string) => HeadRef | undefined,
  item: IngestItem,
): { append: Append; result: ApplyResult } {
  const { log, payload, bytes } = item;
  if (log.seq !== state.version + 1) {
    throw new RegistryError(
      'StaleVersion',
      `ingest: seq ${log.seq} is not the next seq after ${state.version}`,
    );
  }
  const digest = digestOf(signingBytes(payload));
  if (log.descriptor_id !== payload.id || log.version !== payload.version || log.digest !== digest) {
    throw new RegistryError(
      'BadRequest',
      `ingest: seq ${log.seq} names ${log.descriptor_id} v${log.version} ${log.digest}, the bytes are ${payload.id} v${payload.version} ${digest}`,
    );
  }
  assertExtends(payload, state.heads.get(payload.id) ?? committedHead(payload.id));
  const append = appendOf(state, payload, bytes, digest, null, log.applied_by);
  // appendOf numbered it state.version + 1 = log.seq; keep the upstream's entry as is (its ts).
  return {
    append: { ...append, log },
    result: { version: log.seq, descriptor_id: payload.id, descriptor_version: payload.version, digest },
  };
}

/**
 * SPEC §3 for a mirror: the configured allow-list and threshold are the upstream's genesis,
 * so on restart they are checked against the stored governance version 1, not the head
 * (which later rotations have moved on).
 */
export async function assertStoredGenesis(store: Store, configured: GovernanceBody): Promise<void> {
  const raw = await store.descriptor('governance', 1);
  if (raw === undefined) return; // nothing mirrored yet
  const payload = payloadOf(parseAppliedDescriptor(raw));
  if (payload.kind !== 'governance')
    throw new RegistryError('StoreUnavailable', 'governance v1 is not governance');
  if (sameGovernance(payload.body, configured)) return;
  throw new RegistryError(
    'BadRequest',
    `configured signers [${configured.signers.join(',')}] threshold ${configured.threshold} are not the mirrored genesis: signers [${payload.body.signers.join(',')}] threshold ${payload.body.threshold}`,
    'a mirror pins the upstream genesis: give its SIGNER_ALLOWLIST and SIG_THRESHOLD, or point --db at another directory',
  );
}
