import {
  asRegistryError,
  assertNextEntry,
  claimOf,
  type DescriptorResponse,
  headRefOf,
  type VerifiedHead,
  type WatchEvent,
} from '../client/index.js';
import {
  type Governance,
  type GovernanceBody,
  payloadOf,
  type RegistryError,
  verifyLogEntry,
} from '../core/index.js';
import type { IngestItem } from '../registry/index.js';
import type { RefusalReason } from './mirror.types.js';

/** An upstream entry the mirror refuses: the seq, the reason label, and the error saying why. */
export class Refusal {
  constructor(
    readonly seq: number,
    readonly reason: RefusalReason,
    readonly error: RegistryError,
  ) {}
}

/** The mirror's verified position: last seq, governance in force, heads newer than the store's. */
export interface Cursor {
  seq: number;
  governance: Governance | undefined;
  readonly heads: Map<string, VerifiedHead>;
}

const asError = (err: unknown): RegistryError => asRegistryError(err, 'checking the entry');

/** After an entry verified: the cursor moves past it (its seq, the governance after it, its id's head). */
export function advanceCursor(cursor: Cursor, seq: number, item: IngestItem, governance: Governance): void {
  cursor.seq = seq;
  cursor.governance = governance;
  cursor.heads.set(item.log.descriptor_id, {
    version: item.log.version,
    digest: item.log.digest,
    descriptor: { kind: item.payload.kind },
  });
}

/** Before the fetch: the watcher's rollback checks (SPEC §11: no skipped seq, no head moving back). */
export function checkOrder(ev: WatchEvent, cursor: Cursor, head: VerifiedHead | undefined): void {
  try {
    assertNextEntry(ev, cursor.seq, head);
  } catch (err) {
    throw new Refusal(ev.seq, ev.seq === cursor.seq + 1 ? 'version' : 'seq', asError(err));
  }
}

/**
 * After the fetch: core's `verifyLogEntry` (the logged descriptor, in JCS form so the mirror
 * serves what was signed, verified under the governance in force at this log position:
 * pinned genesis, quorum, rotations under old AND new thresholds). Returns what to ingest
 * and the governance after it.
 */
export function checkServed(
  ev: WatchEvent,
  served: DescriptorResponse,
  cursor: Cursor,
  head: VerifiedHead | undefined,
  pinned: GovernanceBody,
): { item: IngestItem; governance: Governance } {
  const d = served.descriptor;
  let governance: Governance;
  try {
    // The served bytes are checked too: the mirror serves them byte for byte.
    governance = verifyLogEntry(claimOf(ev), d, served.body, {
      governance: cursor.governance,
      head: headRefOf(head),
      pinned,
    }).governance;
  } catch (err) {
    throw new Refusal(ev.seq, 'verify', asError(err));
  }
  const data = ev.event.data;
  return {
    governance,
    item: {
      log: {
        seq: ev.seq,
        type: d.deprecated === true ? 'deprecated' : 'published',
        descriptor_id: data.descriptor_id,
        version: data.version,
        digest: served.digest,
        ts: data.ts,
        // Not on the wire (SPEC §6 carries no applied_by): the mirror says where it came from.
        applied_by: ev.seq === 1 ? 'genesis' : 'mirror',
      },
      bytes: Buffer.from(served.body, 'utf8'),
      payload: payloadOf(d),
    },
  };
}
