import { createPublicKey } from 'node:crypto';
import { generateSigningKey } from '../../core/index.js';
import type { CommandSpec } from '../command.types.js';
import { writeOutput } from '../input-file.js';
import { privateKeyPem, writePrivateKey } from '../key-file.js';
import { flag, optString, reqString } from '../values.js';

export const keygen: CommandSpec = {
  name: 'keygen',
  summary:
    'Create an ed25519 signing key (PKCS#8 PEM, mode 0600, readable by `openssl pkey`); prints its signer_id.',
  help: `  --out FILE.pem           where to write the private key (required; never overwritten without --force)
  --public-out FILE.pem    also write the public key (SPKI PEM), for \`signer-id\` or \`openssl pkeyutl -verify\`
  --force                  overwrite existing files`,
  options: {
    out: { type: 'string' },
    'public-out': { type: 'string' },
    force: { type: 'boolean' },
  },
  async run({ values, out }) {
    const path = reqString(values, 'out');
    const key = generateSigningKey();
    writePrivateKey(path, key, flag(values, 'force'));
    const pubPath = optString(values, 'public-out');
    if (pubPath !== undefined) {
      const pem = createPublicKey(privateKeyPem(key)).export({ type: 'spki', format: 'pem' }).toString();
      writeOutput(pubPath, pem);
    }
    if (out.json) {
      out.value({ signer_id: key.signerId, key_file: path, public_key_file: pubPath ?? null });
    } else {
      out.line(key.signerId);
      out.note(`wrote ${path} (keep it secret)${pubPath === undefined ? '' : ` and ${pubPath}`}`);
    }
    return 0;
  },
};
