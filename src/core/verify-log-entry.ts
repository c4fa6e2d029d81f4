import { canonicalJson, digestOf, signingBytes } from './canonical.js';
import { payloadOf } from './descriptor.js';
import type { Descriptor, GovernanceBody, HeadRef, Payload } from './descriptor.types.js';
import { RegistryError } from './errors.js';
import { assertGenesis, type Governance, governanceOf } from './governance.js';
import { verifyDescriptor } from './verify-descriptor.js';

/**
 * What a log entry's envelope says it is: a `/watch` event (SPEC §6) names id, version,
 * digest and type; a cluster stream message (its subject) names the id only.
 */
export interface EntryClaim {
  /** Where the entry sits, for messages: `seq 5`, `stream message 5`. */
  readonly where: string;
  /** undefined: the envelope names no descriptor (refused). */
  readonly id: string | undefined;
  readonly version?: number;
  readonly digest?: string;
  /** The SPEC §6 event type (`registry.published` | `registry.deprecated`). */
  readonly type?: string;
}

/** The verified state an entry is checked against: its log position. */
export interface LogPosition {
  /** The governance in force; undefined before the first entry, which must be the genesis. */
  readonly governance: Governance | undefined;
  /** The verified head of the entry's id. */
  readonly head: HeadRef | undefined;
  /** SPEC §3: the pinned genesis (SIGNER_ALLOWLIST, SIG_THRESHOLD). */
  readonly pinned: GovernanceBody;
}

export interface VerifiedLogEntry {
  readonly payload: Payload;
  /** The digest of the payload's signing bytes. */
  readonly digest: string;
  /** The governance in force after this entry (moved on by a rotation or the genesis). */
  readonly governance: Governance;
}

/**
 * The one check of a log entry, for everyone who follows a log: the SDK's topology watcher,
 * the mirror (SPEC §11) and every cluster instance on a stream message. A checklist of
 * named steps, in order, each throwing a `RegistryError` that says why. Pure: the caller
 * feeds it its trusted state. `bytes` are the exact bytes served for the entry (attacker-
 * controlled), when the caller has them.
 */
export function verifyLogEntry(
  claim: EntryClaim,
  d: Descriptor,
  bytes: Uint8Array | string | undefined,
  position: LogPosition,
): VerifiedLogEntry {
  const payload = payloadOf(d);
  const digest = digestOf(signingBytes(payload));
  assertClaimed(claim, d, digest);
  if (bytes !== undefined) assertCanonical(claim.where, d, bytes);
  // Step 3, SPEC §3: the genesis must be the pinned one; everything after must extend the
  // head and carry a valid quorum of the governance in force (old AND new set for a rotation).
  const governance =
    position.governance === undefined
      ? acceptGenesis(payload, d, position.pinned)
      : verifyDescriptor(d, position.governance, position.head).governance;
  return { payload, digest, governance };
}

/** Step 1, SPEC §6/§11: the descriptor is the one the envelope names (id, version, digest, type). */
export function assertClaimed(claim: EntryClaim, d: Descriptor, digest: string): void {
  const { where } = claim;
  if (claim.id === undefined)
    throw new RegistryError('BadRequest', `${where}: its envelope names no descriptor`);
  if (d.id !== claim.id || (claim.version !== undefined && d.version !== claim.version)) {
    const named = claim.version === undefined ? claim.id : `${claim.id} version ${claim.version}`;
    throw new RegistryError('BadRequest', `${where}: served ${d.id} version ${d.version} for ${named}`);
  }
  if (claim.digest !== undefined && digest !== claim.digest) {
    throw new RegistryError(
      'BadSignature',
      `${where}: digest of the served ${d.id} version ${d.version} (${digest}) is not the logged one (${claim.digest})`,
    );
  }
  const type = d.deprecated === true ? 'registry.deprecated' : 'registry.published';
  if (claim.type !== undefined && claim.type !== type) {
    throw new RegistryError(
      'BadRequest',
      `${where}: event type ${claim.type} does not match the descriptor (${type})`,
    );
  }
}

/** Step 2, SPEC §2: the bytes are the descriptor's JCS form, so what is served is what was signed. */
export function assertCanonical(where: string, d: Descriptor, bytes: Uint8Array | string): void {
  const canonical = canonicalJson(d);
  const same = typeof bytes === 'string' ? bytes === canonical : Buffer.from(canonical, 'utf8').equals(bytes);
  if (!same) {
    throw new RegistryError(
      'BadRequest',
      `${where}: the bytes of ${d.id} version ${d.version} are not its JCS form (SPEC §2)`,
    );
  }
}

/** Step 3 at the first entry, SPEC §3: it is the pinned genesis (governance v1, no signatures). */
function acceptGenesis(payload: Payload, d: Descriptor, pinned: GovernanceBody): Governance {
  assertGenesis(payload, d.signatures, pinned);
  // assertGenesis admits only a governance payload; the check narrows the type.
  if (payload.kind !== 'governance') throw new RegistryError('BadSignature', 'genesis is not governance');
  return governanceOf(payload);
}
