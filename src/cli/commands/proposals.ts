import type { ProposalSummary } from '../../client/index.js';
import { clientOf } from '../client-of.js';
import type { CommandSpec, Output } from '../command.types.js';
import { UsageError } from '../usage-error.js';
import { optInt, optString, reqString } from '../values.js';

/** `2 of 2`, or during a rotation `current 2 of 2, new 3 of 4`. */
export function progressText(p: Pick<ProposalSummary, 'sets'>): string {
  if (p.sets.length === 1) return `${p.sets[0]?.signed_by.length ?? 0} of ${p.sets[0]?.threshold ?? 0}`;
  return p.sets.map((s) => `${s.set} ${s.signed_by.length} of ${s.threshold}`).join(', ');
}

function table(out: Output, items: readonly ProposalSummary[]): void {
  const idWidth = Math.max(2, ...items.map((i) => i.descriptor_id.length));
  out.line(
    `PROPOSAL      ${'ID'.padEnd(idWidth)}  VERSION  KIND        STATUS   SIGNED              EXPIRES`,
  );
  for (const p of items) {
    out.line(
      `${p.proposal_id.slice(0, 12)}  ${p.descriptor_id.padEnd(idWidth)}  ${String(p.version).padEnd(7)}  ${p.kind.padEnd(10)}  ${p.status.padEnd(7)}  ${progressText(p).padEnd(18)}  ${p.expires_at}`,
    );
  }
}

export const proposals: CommandSpec = {
  name: 'proposals',
  summary: 'List pending and ready proposals: who signed, who is missing (every page, unless --limit).',
  help: `  --status S               pending or ready
  --prefix P               descriptor ids starting with P
  --limit N                at most N proposals`,
  options: { status: { type: 'string' }, prefix: { type: 'string' }, limit: { type: 'string' } },
  network: true,
  async run(ctx) {
    const { values, out } = ctx;
    const status = optString(values, 'status');
    if (status !== undefined && status !== 'pending' && status !== 'ready') {
      throw new UsageError(`--status ${JSON.stringify(status)}`, 'pending or ready');
    }
    const prefix = optString(values, 'prefix');
    const limit = optInt(values, 'limit', 1);
    const items: ProposalSummary[] = [];
    for await (const p of clientOf(ctx).proposalsAll({
      ...(status === undefined ? {} : { status }),
      ...(prefix === undefined ? {} : { prefix }),
      limit: Math.min(limit ?? 1000, 1000),
    })) {
      items.push(p);
      if (limit !== undefined && items.length >= limit) break;
    }
    if (out.json) out.value(items);
    else table(out, items);
    return 0;
  },
};

export const proposal: CommandSpec = {
  name: 'proposal',
  summary: 'Show one proposal: its descriptor, status, who signed and who is missing.',
  help: `  --proposal ID            the proposal_id (or as the argument: registry proposal ID)`,
  options: { proposal: { type: 'string' } },
  positional: 'proposal',
  network: true,
  async run(ctx) {
    const { values, out } = ctx;
    const id = reqString(values, 'proposal');
    const view = await clientOf(ctx).proposal(id);
    if (out.json) {
      out.value(view);
      return 0;
    }
    const d = view.descriptor;
    out.line(`proposal_id ${view.proposal_id}`);
    out.line(`descriptor  ${d.kind} ${d.id} v${d.version}${d.deprecated === true ? ' (deprecated)' : ''}`);
    if (view.status === 'applied') {
      out.line(`status      applied at registry version ${view.applied?.version ?? '?'}`);
    } else {
      out.line(`status      ${view.status} (${progressText(view)})`);
      out.line(`expires_at  ${view.expires_at ?? ''}`);
      for (const s of view.sets) {
        const label = view.sets.length > 1 ? `${s.set} set` : 'signers';
        out.line(`${label}: ${s.threshold} needed`);
        for (const signer of s.signed_by) out.line(`  signed   ${signer}`);
        for (const signer of s.missing) out.line(`  missing  ${signer}`);
      }
      out.line(
        view.status === 'ready'
          ? `next: registry apply --proposal ${view.proposal_id}`
          : `next: registry cosign --proposal ${view.proposal_id} --key KEY.pem`,
      );
    }
    return 0;
  },
};
