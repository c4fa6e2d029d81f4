import type { CommandSpec } from '../command.types.js';
import { readSignerId } from '../key-file.js';
import { reqString } from '../values.js';

export const signerId: CommandSpec = {
  name: 'signer-id',
  summary: 'Print the signer_id (ed25519:<base64url public key>) of a private or public PEM key.',
  help: '  --key FILE.pem           a PKCS#8 private key or an SPKI public key (required)',
  options: { key: { type: 'string' } },
  async run({ values, out }) {
    const id = readSignerId(reqString(values, 'key'));
    if (out.json) out.value({ signer_id: id });
    else out.line(id);
    return 0;
  },
};
