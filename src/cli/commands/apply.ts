import type { ApplyResult } from '../../client/index.js';
import { clientOf } from '../client-of.js';
import type { CommandSpec } from '../command.types.js';
import { readDescriptorFile } from '../descriptor-file.js';
import { UsageError } from '../usage-error.js';
import { optString } from '../values.js';

export const apply: CommandSpec = {
  name: 'apply',
  summary:
    'Apply a proposal that has reached quorum (POST /apply/{id}), or with --file a descriptor already signed to quorum in one request (POST /apply, no stored proposal; needs propose and apply scopes). Quorum is recounted against the governance in force; repeating it returns the same result.',
  help: `  --proposal ID            the proposal_id
  --file FILE.json         a descriptor with its signatures, e.g. from \`registry sign --out\` ("-" for stdin)
                           (exactly one of --proposal and --file)`,
  options: { proposal: { type: 'string' }, file: { type: 'string' } },
  network: true,
  async run(ctx) {
    const proposal = optString(ctx.values, 'proposal');
    const file = optString(ctx.values, 'file');
    if ((proposal === undefined) === (file === undefined)) {
      throw new UsageError('give exactly one of --proposal ID and --file FILE.json');
    }
    const client = clientOf(ctx);
    let r: ApplyResult;
    if (file !== undefined) {
      const input = readDescriptorFile(file, Date.now());
      r = await client.applySigned(input.payload, input.signatures);
    } else {
      r = await client.apply(proposal ?? '');
    }
    if (ctx.out.json) ctx.out.value(r);
    else {
      ctx.out.line(`applied ${r.descriptor_id} v${r.descriptor_version}`);
      ctx.out.line(`registry version ${r.version}`);
      ctx.out.line(`digest ${r.digest}`);
    }
    return 0;
  },
};
