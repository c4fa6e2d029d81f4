import { type Descriptor, type EntryClaim, type HeadRef, RegistryError } from '../core/index.js';
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
 * What a watcher and a mirror check of a `/watch` entry before core's `verifyLogEntry`
 * (SPEC §6, §11), throwing a `RegistryError` that says why.
 */

/**
 * Before any fetch. Rollback protection: strictly the next seq (no gap, no
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

/** What a `/watch` event says its entry is (SPEC §6), for core's `verifyLogEntry`. */
export function claimOf(ev: WatchEvent): EntryClaim {
  const e = ev.event.data;
  return {
    where: `seq ${ev.seq}`,
    id: e.descriptor_id,
    version: e.version,
    digest: e.digest,
    type: ev.event.type,
  };
}

/** The verified head as core's checks take it. */
export function headRefOf(head: VerifiedHead | undefined): HeadRef | undefined {
  return head === undefined
    ? undefined
    : { version: head.version, digest: head.digest, kind: head.descriptor.kind };
}
