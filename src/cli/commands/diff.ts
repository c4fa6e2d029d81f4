import { sideBySide } from '../../http/console/diff.js';
import { clientOf } from '../client-of.js';
import type { CommandSpec } from '../command.types.js';
import { UsageError } from '../usage-error.js';
import { optInt, reqString } from '../values.js';

/**
 * `registry diff`: two versions of a descriptor, line by line over the pretty-printed JSON,
 * with the same diff the console's version view draws (http/console/diff.ts), in
 * unified form: `-` only in --from, `+` only in --to, two spaces in both.
 */
export const diff: CommandSpec = {
  name: 'diff',
  summary: 'Show what changed between two versions of a descriptor (the console’s diff, as text).',
  help: `  --id ID                  descriptor id (required; or as the argument)
  --from N                 the older version (required)
  --to N                   the newer version (default: the head)`,
  options: { id: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
  positional: 'id',
  network: true,
  async run(ctx) {
    const { values, out } = ctx;
    const id = reqString(values, 'id');
    const from = optInt(values, 'from', 1);
    if (from === undefined) throw new UsageError('--from is required', 'the older version, e.g. --from 1');
    const client = clientOf(ctx);
    const toN = optInt(values, 'to', 1);
    const [a, b] = await Promise.all([
      client.getVersion(id, from),
      toN === undefined ? client.get(id) : client.getVersion(id, toN),
    ]);
    const lines = (d: unknown) => JSON.stringify(d, null, 2).split('\n');
    const rows = sideBySide(lines(a.descriptor), lines(b.descriptor));
    const changes: Array<{ op: '-' | '+' | ' '; line: string }> = [];
    for (const r of rows) {
      if (r.kind === 'same') changes.push({ op: ' ', line: r.left?.text ?? '' });
      else {
        if (r.left !== undefined) changes.push({ op: '-', line: r.left.text });
        if (r.right !== undefined) changes.push({ op: '+', line: r.right.text });
      }
    }
    if (out.json) {
      out.value({ id, from: a.descriptor.version, to: b.descriptor.version, lines: changes });
      return 0;
    }
    out.line(`--- ${id} v${a.descriptor.version} ${a.digest}`);
    out.line(`+++ ${id} v${b.descriptor.version} ${b.digest}`);
    for (const c of changes) out.line(`${c.op} ${c.line}`);
    return 0;
  },
};
