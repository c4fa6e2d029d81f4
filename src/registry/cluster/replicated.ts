import {
  type Descriptor,
  type GovernanceBody,
  type HeadRef,
  RegistryError,
  verifyLogEntry,
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
  const head = state.heads.get(d.id) ?? committedHead(d.id);
  const position = { governance: first ? undefined : state.governance, head, pinned: genesis };
  let verified: ReturnType<typeof verifyLogEntry>;
  try {
    verified = verifyLogEntry({ where, id: item.id }, d, item.bytes, position);
  } catch (err) {
    if (!first && lostRace(item, d, head, position)) {
      throw new LostRace(`${where}: ${d.id} version ${d.version} was taken earlier in the stream`, err);
    }
    throw err;
  }
  const { payload, digest } = verified;
  const bytes = descriptorBytes(payload, d.signatures);
  const append = appendOf(state, payload, bytes, digest, first ? null : digest, item.appliedBy);
  return {
    // Every instance stores the writer's apply time, so their log entries are identical.
    append: { ...append, log: { ...append.log, ts: item.ts }, streamSeq: item.streamSeq },
    result: { version: append.log.seq, descriptor_id: d.id, descriptor_version: d.version, digest },
  };
}

/**
 * A message that verifies in full against the head it claims to extend (its `prev`), for an
 * id whose version it names was already taken earlier in the stream: two conditional
 * publishes for one id that both entered the stream (measured on nats-server 2.9.10, whose
 * per-subject check lets two in-flight proposals through). Refused like any message that
 * does not extend the head, but it is a lost race (the writer gets 409), not a forgery.
 */
export class LostRace extends RegistryError {
  constructor(message: string, cause: unknown) {
    super('StaleVersion', message, undefined, { cause });
    this.name = 'LostRace';
  }
}

function lostRace(
  item: ReplicatedItem,
  d: Descriptor,
  head: HeadRef | undefined,
  position: { governance: BatchState['governance'] | undefined; pinned: GovernanceBody },
): boolean {
  if (head === undefined || d.version > head.version) return false;
  const claimed: HeadRef | undefined =
    d.prev === null ? undefined : { version: d.version - 1, digest: d.prev, kind: head.kind };
  try {
    verifyLogEntry({ where: '', id: item.id }, d, item.bytes, { ...position, head: claimed });
    return true;
  } catch {
    return false;
  }
}
