import type { CommandSpec } from '../command.types.js';
import { descriptorJson, readDescriptorFile } from '../descriptor-file.js';
import { writeOutput } from '../input-file.js';
import { collectSignatures, SIGNATURE_HELP, SIGNATURE_OPTIONS } from '../signature-input.js';
import { UsageError } from '../usage-error.js';
import { optString, reqString, strings } from '../values.js';

export const sign: CommandSpec = {
  name: 'sign',
  summary:
    'Sign a descriptor offline. Prints the signature objects (for `propose --sig`), or with --out writes the descriptor with every signature merged in.',
  help: `  --file FILE.json         payload, descriptor or proposal body (required)
${SIGNATURE_HELP}
  --out FILE.json          write the descriptor with its signatures here (may be --file itself)`,
  options: { file: { type: 'string' }, ...SIGNATURE_OPTIONS, out: { type: 'string' } },
  async run({ values, out }) {
    const file = reqString(values, 'file');
    if (
      strings(values, 'key').length + strings(values, 'sig-file').length + strings(values, 'sig').length ===
      0
    ) {
      throw new UsageError('nothing to sign with', 'pass --key FILE.pem (or --sig / --sig-file)');
    }
    const now = Date.now();
    const input = readDescriptorFile(file, now);
    const all = collectSignatures(values, input.payload, now, input.signatures);
    const added = all.filter((s) => !input.signatures.includes(s));
    const path = optString(values, 'out');
    if (path === undefined) {
      if (out.json || added.length !== 1) out.value(added);
      else out.value(added[0]);
      return 0;
    }
    writeOutput(path, descriptorJson(input.payload, all));
    if (out.json) out.value({ out: path, signatures: all.map((s) => s.signer_id) });
    else out.line(`wrote ${path} with ${all.length} signature(s): ${all.map((s) => s.signer_id).join(', ')}`);
    return 0;
  },
};
