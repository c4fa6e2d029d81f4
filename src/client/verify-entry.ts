import {
  assertGenesis,
  type Descriptor,
  type Governance,
  type GovernanceBody,
  governanceOf,
  payloadOf,
  RegistryError,
  verifyDescriptor,
} from '../core/index.js';
import type { WatchEvent } from './client.types.js';
import type { ViewEntry } from './topology-watcher.types.js';

/**
 * What the checks need of the verified head of an id: a watcher passes its `ViewEntry`, a
 * mirror (SPEC §11) the head of its own store.
 */
export type VerifiedHead = Pick<ViewEntry, 'version' | 'digest'> & {
  readonly descriptor: Pick<Descriptor, 'kind'>;
};

/**
 * The checks a watcher runs on one log entry, in order (SPEC §3, §6, §11), each throwing a
 * `RegistryError` that says why. Pure: the watcher feeds them its trusted state.
 */

/**
 * Step 1, before any fetch. Rollback protection: strictly the next seq (no gap, no
 * repeat) and strictly the next version of that id (no lowered or replayed version).
 */
export function assertNextEntry(ev: WatchEvent, seq: number, head: VerifiedHead | undefined): void {
  if (ev.seq !== seq + 1) {
    const skipped = ev.seq - seq - 1;
    throw new RegistryError(
      'StaleVersion',
      ev.seq <= seq
        ? `seq ${ev.seq} repeats or precedes the verified seq ${seq}`
        : `seq ${ev.seq} skips ${skipped} entr${skipped === 1 ? 'y' : 'ies'} after the verified seq ${seq}`,
      'the server must send every log entry once, in order (SPEC §6)',
    );
  }
  const { descriptor_id: id, version } = ev.event.data;
  const expected = (head?.version ?? 0) + 1;
  if (version !== expected) {
    throw new RegistryError(
      'StaleVersion',
      `seq ${ev.seq}: ${id} version ${version} does not extend the verified head ${head?.version ?? 'none'} (expected ${expected})`,
    );
  }
}

/** Step 2: the served descriptor is the one the log entry names (id, version, digest, type). */
export function assertMatchesLog(ev: WatchEvent, d: Descriptor, digest: string): void {
  const e = ev.event.data;
  if (d.id !== e.descriptor_id || d.version !== e.version) {
    throw new RegistryError(
      'BadRequest',
      `seq ${ev.seq}: served ${d.id} version ${d.version} for the log entry ${e.descriptor_id} version ${e.version}`,
    );
  }
  if (digest !== e.digest) {
    throw new RegistryError(
      'BadSignature',
      `seq ${ev.seq}: digest of the served ${d.id} version ${d.version} (${digest}) is not the logged one (${e.digest})`,
    );
  }
  const type = d.deprecated === true ? 'registry.deprecated' : 'registry.published';
  if (ev.event.type !== type) {
    throw new RegistryError(
      'BadRequest',
      `seq ${ev.seq}: event type ${ev.event.type} does not match the descriptor (${type})`,
    );
  }
}

/**
 * Step 3, SPEC §3: the genesis must be the pinned one; everything after needs valid,
 * allow-listed signatures reaching the quorum of its time (old AND new set for a
 * rotation) and must extend the head. Returns the governance in force after it.
 */
export function verifyEntry(
  d: Descriptor,
  governance: Governance | undefined,
  head: VerifiedHead | undefined,
  pinned: GovernanceBody,
): Governance {
  if (governance === undefined) {
    const payload = payloadOf(d);
    assertGenesis(payload, d.signatures, pinned);
    // assertGenesis admits only a governance payload; the check narrows the type.
    if (payload.kind !== 'governance') throw new RegistryError('BadSignature', 'genesis is not governance');
    return governanceOf(payload);
  }
  const ref =
    head === undefined
      ? undefined
      : { version: head.version, digest: head.digest, kind: head.descriptor.kind };
  return verifyDescriptor(d, governance, ref).governance;
}
