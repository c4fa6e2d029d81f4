import {
  assertGenesis,
  digestOf,
  type GovernanceBody,
  type HeadRef,
  payloadOf,
  RegistryError,
  signingBytes,
  verifyDescriptor,
} from '../../core/index.js';
import type { Append } from '../../store/index.js';
import { type ApplyResult, appendOf, type BatchState } from '../apply-batch.js';
import { descriptorBytes, parseAppliedDescriptor } from '../entry.js';

/** One message of the cluster's stream, as the follower hands it to the engine. */
export interface ReplicatedItem {
  readonly streamSeq: number;
  /** The descriptor id its subject names (undefined: not a descriptor subject). */
  readonly id: string | undefined;
  readonly bytes: Uint8Array;
  readonly appliedBy: string;
  readonly ts: number;
}

/**
 * Cluster mode: the whole SPEC §2/§3 check every instance runs on a stream message before
 * it becomes a log entry, at batch-build time against `state` (so a rotation earlier in
 * the stream governs what follows it). The first entry must be the pinned genesis; every
 * other must be canonical bytes, extend the head, and carry a valid quorum of the
 * governance at its stream position. It throws a `RegistryError` to refuse the message;
 * since every instance runs the same check over the same stream, all refuse the same ones.
 */
export function prepareReplicated(
  state: BatchState,
  committedHead: (id: string) => HeadRef | undefined,
  item: ReplicatedItem,
  genesis: GovernanceBody,
): { append: Append; result: ApplyResult } {
  const where = `stream message ${item.streamSeq}`;
  if (item.id === undefined)
    throw new RegistryError('BadRequest', `${where}: its subject names no descriptor`);
  const d = parseAppliedDescriptor(item.bytes);
  if (d.id !== item.id) {
    throw new RegistryError('BadRequest', `${where}: subject names ${item.id}, the descriptor is ${d.id}`);
  }
  const payload = payloadOf(d);
  const bytes = descriptorBytes(payload, d.signatures);
  if (!bytes.equals(item.bytes)) {
    throw new RegistryError('BadRequest', `${where}: ${d.id} v${d.version} is not in canonical form`);
  }
  const first = state.version === 0;
  let digest: string;
  if (first) {
    assertGenesis(payload, d.signatures, genesis);
    digest = digestOf(signingBytes(payload));
  } else {
    digest = verifyDescriptor(d, state.governance, state.heads.get(d.id) ?? committedHead(d.id)).digest;
  }
  const append = appendOf(state, payload, bytes, digest, first ? null : digest, item.appliedBy);
  return {
    // Every instance stores the writer's apply time, so their log entries are identical.
    append: { ...append, log: { ...append.log, ts: item.ts }, streamSeq: item.streamSeq },
    result: { version: append.log.seq, descriptor_id: d.id, descriptor_version: d.version, digest },
  };
}
