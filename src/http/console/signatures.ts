import {
  allowList,
  type Descriptor,
  type Governance,
  governanceOf,
  type Payload,
  payloadOf,
  quorumRules,
  signatureProblem,
  signingBytes,
} from '../../core/index.js';
import type { Registry } from '../../registry/index.js';

export interface SignatureRow {
  readonly signer: string;
  readonly valid: boolean;
  /** Why not valid, or the quorum set(s) the signer belongs to. */
  readonly note: string;
}

const GOVERNANCE_ID = 'governance';

/**
 * The governance a version was signed under. A rotation to n was signed under n - 1. For other
 * kinds it is the latest governance whose `ts` is not after the descriptor's `ts` (a proposal
 * is signed after its payload's ts and applied within the TTL), read from the governance
 * id's own versions only when a rotation happened since: usually the snapshot answers. The
 * store keeps no (id, version) → seq index, so payload time stands in for apply order.
 */
export async function governanceFor(r: Registry, payload: Payload): Promise<Governance | undefined> {
  const current = r.snapshot.governance;
  if (payload.kind === 'governance') {
    if (payload.version === 1) return undefined;
    return governanceAtVersion(r, payload.version - 1);
  }
  const head = r.snapshot.get(GOVERNANCE_ID);
  if (head === undefined || head.ts <= payload.ts) return current;
  const history = await r.history(GOVERNANCE_ID);
  // A payload older than every rotation (clocks differ) was still applied after genesis.
  const inForce = history.filter((h) => h.ts <= payload.ts).at(-1) ?? history[0];
  return inForce === undefined ? undefined : governanceAtVersion(r, inForce.version);
}

async function governanceAtVersion(r: Registry, version: number): Promise<Governance | undefined> {
  const current = r.snapshot.governance;
  if (version === current.version) return current;
  const e = await r.at(GOVERNANCE_ID, version);
  const p = payloadOf(JSON.parse(e.bytes.toString('utf8')) as Descriptor);
  return p.kind === 'governance' ? governanceOf(p) : undefined;
}

/** Each signature checked as the engine checked it: allow-listed under `gov`, and verifying over the payload. */
export function signatureRows(d: Descriptor, gov: Governance | undefined): SignatureRow[] {
  const payload = payloadOf(d);
  const bytes = signingBytes(payload);
  const rules = gov === undefined ? [] : quorumRules(payload, gov);
  const allowed = allowList(rules);
  return d.signatures.map((s) => {
    const problem = signatureProblem(s, bytes);
    if (problem !== null) return { signer: s.signer_id, valid: false, note: problem };
    if (!allowed.has(s.signer_id)) {
      return { signer: s.signer_id, valid: false, note: 'not allow-listed under the governance of the time' };
    }
    const sets = rules.filter((r) => r.gov.signers.has(s.signer_id)).map((r) => `${r.set} v${r.gov.version}`);
    return { signer: s.signer_id, valid: true, note: `allow-listed (${sets.join(', ')})` };
  });
}
