import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type LiveHead, type PlanAction, planChanges } from '../backup/plan.js';
import { readTopologyDir } from '../backup/topology-dir.js';
import { clientOf } from '../client-of.js';
import type { CommandSpec } from '../command.types.js';
import { descriptorJson } from '../descriptor-file.js';
import { writeOutput } from '../input-file.js';
import { UsageError } from '../usage-error.js';
import { flag, optString, reqString } from '../values.js';

const ORDER: readonly PlanAction[] = ['create', 'update', 'deprecate', 'unchanged'];

export const plan: CommandSpec = {
  name: 'plan',
  summary:
    'Compare a directory of topology files (as `registry export --dir` writes them) with the live heads: what would be created, updated, deprecated or left unchanged; with --out, write each change as a draft ready to sign.',
  help: `  --dir DIR                the files, one per id: <id>.json or <id>.yaml (required)
  --out DIR                write the next-version drafts here, <id>.json (as registry draft writes them)
  --prune                  deprecate heads that have no file (governance is never deprecated)`,
  options: {
    dir: { type: 'string' },
    out: { type: 'string' },
    prune: { type: 'boolean' },
  },
  network: true,
  async run(ctx) {
    const { values, out } = ctx;
    const dir = reqString(values, 'dir');
    const outDir = optString(values, 'out');
    const files = readTopologyDir(dir);
    const client = clientOf(ctx);
    const heads = new Map<string, LiveHead>();
    for await (const item of client.listAll({ limit: 1000 })) {
      const needsBody = files.has(item.id) || flag(values, 'prune');
      const body = needsBody ? (await client.get(item.id)).descriptor.body : undefined;
      heads.set(item.id, { ...item, body });
    }
    const result = planChanges(files, heads, { prune: flag(values, 'prune'), now: Date.now() });
    const changes = result.items.filter((i) => i.draft !== undefined);
    if (outDir !== undefined && changes.length > 0) {
      try {
        mkdirSync(outDir, { recursive: true });
      } catch (err) {
        throw new UsageError(`cannot create ${outDir}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      for (const c of changes)
        if (c.draft !== undefined) writeOutput(join(outDir, `${c.id}.json`), descriptorJson(c.draft, []));
    }
    const counts = ORDER.map((a) => `${result.items.filter((i) => i.action === a).length} ${a}`).join(', ');
    if (out.json) {
      out.value({
        items: result.items.map((i) => ({
          action: i.action,
          id: i.id,
          kind: i.kind,
          version: i.version,
          file: i.file,
          ...(i.proposal_id === undefined ? {} : { proposal_id: i.proposal_id }),
          ...(i.draft === undefined || outDir === undefined ? {} : { draft: join(outDir, `${i.id}.json`) }),
        })),
        untracked: result.untracked,
      });
      return 0;
    }
    const idWidth = Math.max(2, ...result.items.map((i) => i.id.length));
    out.line(`${'ACTION'.padEnd(9)}  ${'ID'.padEnd(idWidth)}  VERSION  KIND          FILE`);
    for (const i of result.items) {
      out.line(
        `${i.action.padEnd(9)}  ${i.id.padEnd(idWidth)}  ${String(i.version).padEnd(7)}  ${i.kind.padEnd(12)}  ${i.file ?? '(no file)'}`,
      );
    }
    out.line(`plan: ${counts}`);
    if (result.untracked.length > 0) {
      out.note(
        `# ${result.untracked.length} head(s) have no file and stay as they are: ${result.untracked.join(', ')}${flag(values, 'prune') ? '' : ' (--prune deprecates them)'}`,
      );
    }
    if (changes.length === 0) out.note('# no change');
    else if (outDir === undefined)
      out.note('# --out DIR writes the drafts, ready for registry sign / propose');
    else {
      out.note(`# wrote ${changes.length} draft(s) to ${outDir}; sign and propose each:`);
      for (const c of changes) {
        const rotation = c.kind === 'governance' ? '  (a rotation: the current AND the new set sign)' : '';
        out.note(`#   registry propose --file ${join(outDir, `${c.id}.json`)} --key KEY.pem${rotation}`);
      }
    }
    return 0;
  },
};
