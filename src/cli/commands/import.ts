import { PIN_HELP, PIN_OPTIONS, pinnedGenesis, UNPINNED_WARNING } from '../backup/genesis-pin.js';
import { importInto, verifyExport } from '../backup/log-import.js';
import type { CommandSpec } from '../command.types.js';
import { readInput } from '../input-file.js';
import { reqString } from '../values.js';

export const importCommand: CommandSpec = {
  name: 'import',
  summary:
    'Restore a `registry export` file into an empty store directory (offline): every entry is verified as a mirror verifies it, then written with its seq and bytes.',
  help: `  --file FILE              the export (required; - reads stdin)
  --db DIR                 the new store (required; must not exist or be empty)
${PIN_HELP}

Nothing is written unless the whole file verifies; a failed import leaves no store behind.
Then serve it: registry serve --db DIR (its governance head is authoritative, SPEC §3).`,
  options: {
    file: { type: 'string' },
    db: { type: 'string' },
    ...PIN_OPTIONS,
  },
  async run({ values, env, out }) {
    const file = reqString(values, 'file');
    const db = reqString(values, 'db');
    const pinned = pinnedGenesis(values, env);
    if (pinned === undefined) out.note(UNPINNED_WARNING);
    const verified = verifyExport(readInput(file).toString('utf8'), pinned);
    const version = await importInto(db, verified);
    const g = verified.genesis;
    if (out.json) {
      out.value({
        db,
        registry_version: version,
        entries: verified.items.length,
        genesis: verified.header.genesis,
      });
    } else {
      out.line(`imported ${verified.items.length} log entries into ${db}: registry version ${version}`);
      out.line(`genesis ${verified.header.genesis}: signers ${g.signers.join(',')} threshold ${g.threshold}`);
      out.line(`next: registry serve --db ${db}`);
    }
    return 0;
  },
};
