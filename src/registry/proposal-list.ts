import {
  allowList,
  type Governance,
  type Payload,
  type ProposalSummary,
  quorumRules,
  type SetProgress,
  type Signature,
} from '../core/index.js';
import type { ProposalRecord } from '../store/index.js';

export interface ProposalQuery {
  readonly status?: 'pending' | 'ready';
  readonly prefix?: string;
  /** Exclusive: summaries after this (descriptor_id, proposal_id) position. */
  readonly after?: { readonly descriptorId: string; readonly proposalId: string };
  readonly limit: number;
  /** SPEC §7 read scoping: ids the caller may see. */
  readonly visible?: (id: string, kind: string) => boolean;
}

/**
 * SPEC §5 and §3: a proposal's progress under the governance in force. Signatures were
 * verified on arrival; here only membership is counted, per set, so a rotation shows
 * `ready` only when both the current and the new set reach their thresholds.
 */
export function summarize(record: ProposalRecord, gov: Governance): ProposalSummary {
  const p = progressOf(record.payload, record.signatures, gov);
  return {
    proposal_id: record.proposal_id,
    descriptor_id: record.payload.id,
    version: record.payload.version,
    kind: record.payload.kind,
    status: p.sets.every((s) => s.signed_by.length >= s.threshold) ? 'ready' : 'pending',
    signatures: p.signed_by.length,
    threshold: p.sets[0]?.threshold ?? 0,
    signed_by: p.signed_by,
    missing: p.missing,
    sets: p.sets,
    expires_at: new Date(record.expires_at).toISOString(),
  };
}

/** Who signed and who has not, overall and per signer set, under the governance in force. */
export function progressOf(
  payload: Payload,
  signatures: readonly Signature[],
  gov: Governance,
): Pick<ProposalSummary, 'signed_by' | 'missing' | 'sets'> {
  const rules = quorumRules(payload, gov);
  const signers = new Set(signatures.map((s) => s.signer_id));
  const allowed = allowList(rules);
  const sets = rules.map((r): SetProgress => {
    const members = [...r.gov.signers].sort();
    return {
      set: r.set,
      threshold: r.gov.threshold,
      signed_by: members.filter((s) => signers.has(s)),
      missing: members.filter((s) => !signers.has(s)),
    };
  });
  return {
    signed_by: [...allowed].filter((s) => signers.has(s)).sort(),
    missing: [...allowed].filter((s) => !signers.has(s)).sort(),
    sets,
  };
}

/** One page of live proposals, by descriptor id then proposal_id (a stable, resumable order). */
export function listProposals(
  records: Iterable<ProposalRecord>,
  gov: Governance,
  q: ProposalQuery,
): { items: ProposalSummary[]; more: boolean } {
  const after = q.after;
  const matching = [...records]
    .filter((r) => q.prefix === undefined || r.payload.id.startsWith(q.prefix))
    .filter((r) => q.visible === undefined || q.visible(r.payload.id, r.payload.kind))
    .filter(
      (r) =>
        after === undefined ||
        r.payload.id > after.descriptorId ||
        (r.payload.id === after.descriptorId && r.proposal_id > after.proposalId),
    )
    .sort((a, b) =>
      a.payload.id === b.payload.id
        ? a.proposal_id.localeCompare(b.proposal_id)
        : a.payload.id < b.payload.id
          ? -1
          : 1,
    );
  const items: ProposalSummary[] = [];
  for (const r of matching) {
    const s = summarize(r, gov);
    if (q.status !== undefined && s.status !== q.status) continue;
    if (items.length === q.limit) return { items, more: true };
    items.push(s);
  }
  return { items, more: false };
}
