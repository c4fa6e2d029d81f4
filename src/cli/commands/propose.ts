import type { ProposalStatus } from '../../client/index.js';
import { digestOf, signingBytes } from '../../core/index.js';
import { clientOf } from '../client-of.js';
import type { CommandSpec, Output } from '../command.types.js';
import { readDescriptorFile } from '../descriptor-file.js';
import { collectSignatures, SIGNATURE_HELP, SIGNATURE_OPTIONS } from '../signature-input.js';
import { reqString } from '../values.js';

/** The 202 of propose and cosign, with the next step spelled out. */
export function printStatus(out: Output, s: ProposalStatus): void {
  if (out.json) {
    out.value(s);
    return;
  }
  out.line(`proposal_id ${s.proposal_id}`);
  out.line(`status      ${s.status} (${s.signatures} of ${s.threshold} signatures)`);
  out.line(`expires_at  ${s.expires_at}`);
  out.line(
    s.status === 'ready'
      ? `next: registry apply --proposal ${s.proposal_id}`
      : `next: registry cosign --proposal ${s.proposal_id} --key KEY.pem`,
  );
}

export const propose: CommandSpec = {
  name: 'propose',
  summary:
    'Propose a descriptor (POST /proposals) with the signatures it carries plus those the flags add. Proposing the same payload again merges signatures.',
  help: `  --file FILE.json         payload, descriptor or proposal body ("-" for stdin) (required)
${SIGNATURE_HELP}`,
  options: { file: { type: 'string' }, ...SIGNATURE_OPTIONS },
  network: true,
  async run(ctx) {
    const now = Date.now();
    const input = readDescriptorFile(reqString(ctx.values, 'file'), now);
    const sigs = collectSignatures(ctx.values, input.payload, now, input.signatures);
    if (sigs.length === 0 && !ctx.out.json) {
      ctx.out.note(
        `note: no signatures; proposal_id ${digestOf(signingBytes(input.payload))} will stay pending`,
      );
    }
    printStatus(ctx.out, await clientOf(ctx).propose(input.payload, sigs));
    return 0;
  },
};
