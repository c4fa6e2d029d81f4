import type { DescriptorResponse, WatchEvent } from '../../client/index.js';
import { type GovernanceBody, parseAllowList, RegistryError } from '../../core/index.js';
import { advanceCursor, type Cursor, checkOrder, checkServed, Refusal } from '../../mirror/index.js';
import type { IngestItem } from '../../registry/index.js';

/**
 * Verifies a log in seq order exactly as a mirror does (SPEC §11): the mirror's own
 * `checkOrder` (no gap, no repeat, head + 1) and `checkServed` (the logged descriptor, its
 * JCS bytes, quorum under the governance of its log position, rotations under both sets,
 * seq 1 the pinned genesis). Export runs it on what the server serves, import on the file.
 */
export class LogVerifier {
  readonly #cursor: Cursor = { seq: 0, governance: undefined, heads: new Map() };
  #pinned: GovernanceBody | undefined;

  /** `pinned` undefined: trust the genesis the log starts with (the caller says so). */
  constructor(pinned: GovernanceBody | undefined) {
    this.#pinned = pinned === undefined ? undefined : parseAllowList(pinned.signers, pinned.threshold);
  }

  get seq(): number {
    return this.#cursor.seq;
  }

  /** The genesis the log was checked against (known after seq 1). */
  get genesis(): GovernanceBody | undefined {
    return this.#pinned;
  }

  /** One entry; throws a RegistryError naming the seq and why (nothing is kept on failure). */
  check(ev: WatchEvent, served: DescriptorResponse): IngestItem {
    const id = ev.event.data.descriptor_id;
    const head = this.#cursor.heads.get(id);
    try {
      checkOrder(ev, this.#cursor, head);
      const pinned = this.#pinned ?? genesisOf(ev, served);
      const { item, governance } = checkServed(ev, served, this.#cursor, head, pinned);
      this.#pinned = pinned;
      advanceCursor(this.#cursor, ev.seq, item, governance);
      return item;
    } catch (err) {
      if (err instanceof Refusal) {
        throw new RegistryError(
          err.error.code,
          `seq ${err.seq} refused (${err.reason}): ${err.error.message}`,
          err.error.hint ?? '',
          { cause: err.error },
        );
      }
      throw err;
    }
  }
}

/** Unpinned: the genesis body is whatever seq 1 says (assertGenesis still checks its shape). */
function genesisOf(ev: WatchEvent, served: DescriptorResponse): GovernanceBody {
  const d = served.descriptor;
  if (ev.seq !== 1 || d.kind !== 'governance') {
    throw new RegistryError(
      'BadSignature',
      `seq ${ev.seq}: the log does not start with a governance genesis`,
    );
  }
  return d.body;
}
