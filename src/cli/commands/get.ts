import { clientOf } from '../client-of.js';
import type { CommandSpec } from '../command.types.js';
import { writeOutput } from '../input-file.js';
import { flag, optInt, optString, reqString } from '../values.js';

export const get: CommandSpec = {
  name: 'get',
  summary: 'Print a descriptor (the head, or one version), or its history.',
  help: `  --id ID                  descriptor id (required; or as the argument: registry get ID)
  --version N              that version instead of the head
  --history                list every version (version, digest, ts, deprecated)
  --out FILE.json          also write the descriptor to this file`,
  options: {
    id: { type: 'string' },
    version: { type: 'string' },
    history: { type: 'boolean' },
    out: { type: 'string' },
  },
  positional: 'id',
  network: true,
  async run(ctx) {
    const { values, out } = ctx;
    const id = reqString(values, 'id');
    const client = clientOf(ctx);
    if (flag(values, 'history')) {
      const versions = await client.versions(id);
      if (out.json) out.value(versions);
      else {
        out.line(
          'VERSION  DIGEST                                                            TS                        DEPRECATED',
        );
        for (const v of versions) {
          const when = new Date(v.ts).toISOString();
          out.line(
            `${`v${v.version}`.padEnd(7)}  ${v.digest}  ${when.padEnd(24)}  ${v.deprecated ? 'yes' : ''}`.trimEnd(),
          );
        }
      }
      return 0;
    }
    const n = optInt(values, 'version', 1);
    const r = n === undefined ? await client.get(id) : await client.getVersion(id, n);
    const path = optString(values, 'out');
    if (path !== undefined) writeOutput(path, `${JSON.stringify(r.descriptor, null, 2)}\n`);
    if (out.json) out.value(r.descriptor);
    else {
      out.line(JSON.stringify(r.descriptor, null, 2));
      out.note(`digest ${r.digest}, registry version ${r.registryVersion}`);
    }
    return 0;
  },
};
