import type { GovernanceBody, Payload } from './descriptor.types.js';
import { badRequest, RegistryError } from './errors.js';
import { MAX_SIGNERS } from './limits.js';
import { keyProblem, parseSignerId, type SignerId } from './signer-id.js';

/** The trust root in force: who may sign and how many must agree (SPEC §3). */
export interface Governance {
  readonly signers: ReadonlySet<SignerId>;
  readonly threshold: number;
  /** The governance descriptor version this set comes from (0 before genesis). */
  readonly version: number;
}

export function governanceOf(payload: Payload & { kind: 'governance' }): Governance {
  return {
    signers: new Set(payload.body.signers),
    threshold: payload.body.threshold,
    version: payload.version,
  };
}

/**
 * Validates an operator-given allow-list and threshold (SPEC §8 guardrail:
 * 1 ≤ threshold ≤ len, no duplicates, every key valid). Throws BadRequest naming the problem.
 */
export function parseAllowList(signers: readonly string[], threshold: number): GovernanceBody {
  if (signers.length === 0) throw badRequest('SIGNER_ALLOWLIST', 'at least one signer is required');
  if (signers.length > MAX_SIGNERS) throw badRequest('SIGNER_ALLOWLIST', `at most ${MAX_SIGNERS} signers`);
  const ids = signers.map((s, i) => {
    const id = parseSignerId(s, `SIGNER_ALLOWLIST[${i}]`);
    const problem = keyProblem(id);
    if (problem !== null) throw badRequest(`SIGNER_ALLOWLIST[${i}]`, `${id} ${problem}`);
    return id;
  });
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup !== undefined) throw badRequest('SIGNER_ALLOWLIST', `duplicate signer ${dup}`);
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > ids.length) {
    throw badRequest(
      'SIG_THRESHOLD',
      `must be between 1 and ${ids.length} (the allow-list size), got ${threshold}`,
    );
  }
  return { signers: ids, threshold };
}

/**
 * SPEC §3: the genesis governance, version 1, the only descriptor applied without a quorum.
 */
export function genesisPayload(body: GovernanceBody, ts: number): Payload {
  return { id: 'governance', version: 1, kind: 'governance', body, prev: null, ts };
}

/** True when the set and threshold of `a` and `b` are the same (order of signers aside). */
export function sameGovernance(a: GovernanceBody, b: GovernanceBody): boolean {
  return (
    a.threshold === b.threshold &&
    a.signers.length === b.signers.length &&
    a.signers.every((s) => b.signers.includes(s))
  );
}

/**
 * A pinned genesis (SPEC §11, watchers): a genesis descriptor is trusted only when it is
 * exactly what the operator configured.
 */
export function assertGenesis(
  payload: Payload,
  signatures: readonly unknown[],
  expected: GovernanceBody,
): void {
  if (
    payload.kind !== 'governance' ||
    payload.version !== 1 ||
    payload.prev !== null ||
    signatures.length !== 0
  ) {
    throw new RegistryError(
      'BadSignature',
      'genesis must be governance version 1 with prev null and no signatures',
    );
  }
  if (!sameGovernance(payload.body, expected)) {
    throw new RegistryError(
      'BadSignature',
      `genesis signers/threshold (${payload.body.signers.join(',')} / ${payload.body.threshold}) differ from the pinned ones (${expected.signers.join(',')} / ${expected.threshold})`,
    );
  }
}
