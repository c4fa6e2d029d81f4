import { clientOf } from '../client-of.js';
import type { CommandSpec } from '../command.types.js';
import { reqString } from '../values.js';

export const apply: CommandSpec = {
  name: 'apply',
  summary:
    'Apply a proposal that has reached quorum (POST /apply/{id}); quorum is recounted against the governance in force. Repeating it returns the same result.',
  help: '  --proposal ID            the proposal_id (required)',
  options: { proposal: { type: 'string' } },
  network: true,
  async run(ctx) {
    const r = await clientOf(ctx).apply(reqString(ctx.values, 'proposal'));
    if (ctx.out.json) ctx.out.value(r);
    else {
      ctx.out.line(`applied ${r.descriptor_id} v${r.descriptor_version}`);
      ctx.out.line(`registry version ${r.version}`);
      ctx.out.line(`digest ${r.digest}`);
    }
    return 0;
  },
};
