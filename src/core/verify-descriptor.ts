import { digestOf, signingBytes } from './canonical.js';
import { payloadOf } from './descriptor.js';
import type { Descriptor, HeadRef } from './descriptor.types.js';
import { type Governance, governanceOf } from './governance.js';
import { allowList, assertQuorum, countQuorum, quorumRules, type Tally, verifySignatures } from './quorum.js';
import { assertExtends } from './version-rules.js';

export interface Verified {
  readonly descriptor: Descriptor;
  readonly bytes: Uint8Array;
  readonly digest: string;
  readonly tally: Tally;
  /** The governance in force after this descriptor (changed only by a rotation). */
  readonly governance: Governance;
}

/**
 * The whole check a reader of the registry runs before trusting a descriptor (watchers,
 * mirrors, vectors), in SPEC order: canonical bytes, version and prev extend the head,
 * every signature valid and allow-listed, quorum (both sets for a rotation).
 */
export function verifyDescriptor(d: Descriptor, governance: Governance, head: HeadRef | undefined): Verified {
  const payload = payloadOf(d);
  const bytes = signingBytes(payload);
  assertExtends(payload, head);
  const rules = quorumRules(payload, governance);
  const valid = verifySignatures(bytes, d.signatures, allowList(rules));
  const tally = countQuorum(valid, rules);
  assertQuorum(tally);
  return {
    descriptor: d,
    bytes,
    digest: digestOf(bytes),
    tally,
    governance: payload.kind === 'governance' ? governanceOf(payload) : governance,
  };
}
