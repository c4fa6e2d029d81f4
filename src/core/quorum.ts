import type { Payload } from './descriptor.types.js';
import { RegistryError } from './errors.js';
import { type Governance, governanceOf } from './governance.js';
import { type Signature, signatureProblem } from './signature.js';
import type { SignerId } from './signer-id.js';

/** One set whose threshold must be met: the current governance, and for a rotation the new one too. */
export interface QuorumRule {
  readonly set: 'current' | 'new';
  readonly gov: Governance;
}

/** SPEC §3: a governance version n+1 needs the current set's threshold AND the new set's (TUF root rotation). */
export function quorumRules(payload: Payload, current: Governance): readonly QuorumRule[] {
  if (payload.kind !== 'governance') return [{ set: 'current', gov: current }];
  return [
    { set: 'current', gov: current },
    { set: 'new', gov: governanceOf(payload) },
  ];
}

/** For a rotation the allow-list is the union of both sets (SPEC §3). */
export function allowList(rules: readonly QuorumRule[]): ReadonlySet<SignerId> {
  const out = new Set<SignerId>();
  for (const r of rules) for (const s of r.gov.signers) out.add(s);
  return out;
}

/**
 * Verifies every signature; any one that is invalid or from a signer outside the
 * allow-list rejects the whole request (SPEC §3). Returns the distinct valid signers.
 * Duplicate signer_ids were already refused by the parser.
 */
export function verifySignatures(
  bytes: Uint8Array,
  sigs: readonly Signature[],
  allowed: ReadonlySet<SignerId>,
): ReadonlySet<SignerId> {
  const valid = new Set<SignerId>();
  for (const s of sigs) {
    if (!allowed.has(s.signer_id)) {
      throw new RegistryError('BadSignature', `signer ${s.signer_id} is not in the allow-list`);
    }
    const problem = signatureProblem(s, bytes);
    if (problem !== null)
      throw new RegistryError('BadSignature', `invalid signature by ${s.signer_id}: ${problem}`);
    valid.add(s.signer_id);
  }
  return valid;
}

export interface Tally {
  /** Distinct allow-listed signers with a valid signature. */
  readonly signatures: number;
  /** The current set's threshold (what the 202 reports). */
  readonly threshold: number;
  readonly met: boolean;
  /** One line per unmet rule, for the NoQuorum message. */
  readonly short: readonly string[];
}

/** Counts already-verified signers against every rule: membership only, no crypto. */
export function countQuorum(valid: ReadonlySet<SignerId>, rules: readonly QuorumRule[]): Tally {
  const short: string[] = [];
  let signatures = 0;
  for (const s of valid) if (rules.some((r) => r.gov.signers.has(s))) signatures++;
  for (const r of rules) {
    let have = 0;
    for (const s of valid) if (r.gov.signers.has(s)) have++;
    if (have < r.gov.threshold) {
      short.push(`requires ${r.gov.threshold} valid signatures from the ${r.set} signer set (got ${have})`);
    }
  }
  const first = rules[0];
  return {
    signatures,
    threshold: first === undefined ? 0 : first.gov.threshold,
    met: short.length === 0,
    short,
  };
}

export function assertQuorum(t: Tally): void {
  if (!t.met) throw new RegistryError('NoQuorum', t.short.join('; '));
}

/** The quorum a set of already-verified signatures reaches under `gov` (membership only). */
export function tallyOf(payload: Payload, signatures: readonly Signature[], gov: Governance): Tally {
  const rules = quorumRules(payload, gov);
  const allowed = allowList(rules);
  const valid = new Set<SignerId>();
  for (const s of signatures) if (allowed.has(s.signer_id)) valid.add(s.signer_id);
  return countQuorum(valid, rules);
}
