import {
  allowList,
  assertExtends,
  type Descriptor,
  digestOf,
  type Governance,
  type HeadRef,
  type Payload,
  quorumRules,
  RegistryError,
  type Signature,
  signingBytes,
  tallyOf,
  verifySignatures,
} from '../core/index.js';
import type { AppliedRecord, ProposalRecord } from '../store/index.js';
import type { ApplyResult } from './apply-batch.js';

/** SPEC §5 202 body of POST /proposals and co-signing. */
export interface ProposalStatus {
  readonly proposal_id: string;
  readonly status: 'pending' | 'ready';
  readonly signatures: number;
  readonly threshold: number;
  readonly expires_at: string;
}

export function statusOf(record: ProposalRecord, gov: Governance): ProposalStatus {
  const t = tallyOf(record.payload, record.signatures, gov);
  return {
    proposal_id: record.proposal_id,
    status: t.met ? 'ready' : 'pending',
    signatures: t.signatures,
    threshold: t.threshold,
    expires_at: new Date(record.expires_at).toISOString(),
  };
}

/**
 * SPEC §3 checks on arrival, in order: the payload extends the head (StaleVersion), then
 * every signature is valid and allow-listed (BadSignature). Returns the proposal record
 * with `incoming` merged into `existing` (a signer already present keeps its signature).
 */
export function admit(
  payload: Payload,
  incoming: readonly Signature[],
  existing: ProposalRecord | undefined,
  ctx: { head: HeadRef | undefined; governance: Governance; now: number; ttlMs: number },
): ProposalRecord {
  const bytes = signingBytes(payload);
  const proposalId = existing?.proposal_id ?? digestOf(bytes);
  assertExtends(payload, ctx.head);
  verifySignatures(bytes, incoming, allowList(quorumRules(payload, ctx.governance)));
  const merged = [...(existing?.signatures ?? [])];
  const have = new Set(merged.map((s) => s.signer_id));
  for (const s of incoming) if (!have.has(s.signer_id)) merged.push(s);
  return {
    proposal_id: proposalId,
    payload,
    signatures: merged,
    received_at: existing?.received_at ?? ctx.now,
    expires_at: existing?.expires_at ?? ctx.now + ctx.ttlMs,
  };
}

export function notFound(proposalId: string): RegistryError {
  return new RegistryError(
    'NotFound',
    `no pending proposal ${proposalId}`,
    'it may have expired; propose again',
  );
}

/** SPEC §5 GET /proposals/{id}. */
export interface ProposalView {
  readonly proposal_id: string;
  readonly descriptor: Payload;
  readonly signatures: ProposalRecord['signatures'];
  readonly status: 'pending' | 'ready' | 'applied';
  readonly threshold: number;
  readonly expires_at: string | null;
  readonly applied?: ApplyResult;
}

/** A live proposal as GET /proposals/{id} shows it. */
export function pendingView(record: ProposalRecord, gov: Governance): ProposalView {
  const s = statusOf(record, gov);
  return {
    proposal_id: record.proposal_id,
    descriptor: record.payload,
    signatures: record.signatures,
    status: s.status,
    threshold: s.threshold,
    expires_at: s.expires_at,
  };
}

export function resultOf(a: AppliedRecord, proposalId: string): ApplyResult {
  return {
    version: a.version,
    descriptor_id: a.descriptor_id,
    descriptor_version: a.descriptor_version,
    digest: proposalId,
  };
}

/** An applied proposal as GET /proposals/{id} shows it: the stored descriptor and the apply result. */
export function appliedView(
  proposalId: string,
  applied: AppliedRecord,
  descriptor: Descriptor,
  gov: Governance,
): ProposalView {
  const { signatures, ...rest } = descriptor;
  const payload = rest as Payload;
  return {
    proposal_id: proposalId,
    descriptor: payload,
    signatures,
    status: 'applied',
    threshold: tallyOf(payload, signatures, gov).threshold,
    expires_at: null,
    applied: resultOf(applied, proposalId),
  };
}
