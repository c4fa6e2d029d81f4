import { type GovernanceBody, type HeadRef, verifyLogEntry } from '../../core/index.js';
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
 * Cluster mode: core's `verifyLogEntry` on a stream message before it becomes a log entry,
 * at batch-build time against `state` (so a rotation earlier in the stream governs what
 * follows it): the subject names it, its bytes are canonical, the first entry is the pinned
 * genesis and every other extends the head with a valid quorum at its stream position. It throws a `RegistryError` to refuse the message;
 * since every instance runs the same check over the same stream, all refuse the same ones.
 */
export function prepareReplicated(
  state: BatchState,
  committedHead: (id: string) => HeadRef | undefined,
  item: ReplicatedItem,
  genesis: GovernanceBody,
): { append: Append; result: ApplyResult } {
  const where = `stream message ${item.streamSeq}`;
  const d = parseAppliedDescriptor(item.bytes);
  const first = state.version === 0;
  const { payload, digest } = verifyLogEntry({ where, id: item.id }, d, item.bytes, {
    governance: first ? undefined : state.governance,
    head: state.heads.get(d.id) ?? committedHead(d.id),
    pinned: genesis,
  });
  const bytes = descriptorBytes(payload, d.signatures);
  const append = appendOf(state, payload, bytes, digest, first ? null : digest, item.appliedBy);
  return {
    // Every instance stores the writer's apply time, so their log entries are identical.
    append: { ...append, log: { ...append.log, ts: item.ts }, streamSeq: item.streamSeq },
    result: { version: append.log.seq, descriptor_id: d.id, descriptor_version: d.version, digest },
  };
}
