import { digestOf, RegistryError, signingBytes } from '../../core/index.js';
import { clientOf } from '../client-of.js';
import type { CommandSpec } from '../command.types.js';
import { collectSignatures, SIGNATURE_HELP, SIGNATURE_OPTIONS } from '../signature-input.js';
import { UsageError } from '../usage-error.js';
import { reqString } from '../values.js';
import { printStatus } from './propose.js';

export const cosign: CommandSpec = {
  name: 'cosign',
  summary:
    'Add signatures to a pending proposal (POST /proposals/{id}/signatures). With --key it fetches the proposal, checks that its payload hashes to the given id, and signs that.',
  help: `  --proposal ID            the proposal_id (required)
${SIGNATURE_HELP}`,
  options: { proposal: { type: 'string' }, ...SIGNATURE_OPTIONS },
  network: true,
  async run(ctx) {
    const id = reqString(ctx.values, 'proposal');
    if (!/^[0-9a-f]{64}$/.test(id))
      throw new UsageError(`--proposal ${JSON.stringify(id)} is not 64 lowercase hex`);
    const client = clientOf(ctx);
    const needsPayload = ctx.values.key !== undefined;
    let payload: Parameters<typeof collectSignatures>[1];
    if (needsPayload) {
      const view = await client.proposal(id);
      // Sign only what the operator named: a server cannot swap the payload under the id.
      const got = digestOf(signingBytes(view.descriptor));
      if (got !== id) {
        throw new RegistryError(
          'BadSignature',
          `the server's proposal ${id} hashes to ${got}; not signing it`,
        );
      }
      payload = view.descriptor;
      if (!ctx.out.json) {
        ctx.out.note(
          `signing ${view.descriptor.kind} ${view.descriptor.id} v${view.descriptor.version} (${view.status})`,
        );
      }
    }
    const sigs = collectSignatures(ctx.values, payload, Date.now());
    if (sigs.length === 0) throw new UsageError('no signatures to add', 'pass --key, --sig or --sig-file');
    printStatus(ctx.out, await client.cosign(id, sigs));
    return 0;
  },
};
