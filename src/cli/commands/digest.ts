import { digestOf, signingBytes } from '../../core/index.js';
import type { CommandSpec } from '../command.types.js';
import { readDescriptorFile } from '../descriptor-file.js';
import { writeOutput } from '../input-file.js';
import { flag, optString, reqString } from '../values.js';

export const digest: CommandSpec = {
  name: 'digest',
  summary:
    "Print a descriptor's proposal_id (SHA-256 of its signing bytes), or write the signing bytes for an external signer.",
  help: `  --file FILE.json         payload, descriptor or proposal body ("-" for stdin) (required)
  --bytes                  write the signing bytes (SPEC §2) instead of the digest
  --out FILE               where --bytes writes (default stdout)`,
  options: {
    file: { type: 'string' },
    bytes: { type: 'boolean' },
    out: { type: 'string' },
  },
  async run({ values, out }) {
    const { payload } = readDescriptorFile(reqString(values, 'file'), Date.now());
    const bytes = signingBytes(payload);
    const proposalId = digestOf(bytes);
    if (!flag(values, 'bytes')) {
      if (out.json) out.value({ proposal_id: proposalId });
      else out.line(proposalId);
      return 0;
    }
    const path = optString(values, 'out');
    if (path === undefined) {
      out.bytes(bytes);
      return 0;
    }
    writeOutput(path, bytes);
    if (out.json) out.value({ proposal_id: proposalId, out: path, bytes: bytes.length });
    else out.line(`wrote ${bytes.length} signing bytes to ${path} (proposal_id ${proposalId})`);
    return 0;
  },
};
