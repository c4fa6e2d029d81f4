import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PIN_HELP, PIN_OPTIONS, pinnedGenesis, UNPINNED_WARNING } from '../backup/genesis-pin.js';
import { exportLog } from '../backup/log-export.js';
import { type DirFormat, descriptorFiles, fileName, renderFile } from '../backup/topology-dir.js';
import { clientOf } from '../client-of.js';
import type { CommandContext, CommandSpec } from '../command.types.js';
import { UsageError } from '../usage-error.js';
import { optString } from '../values.js';

/** Write-then-rename: a crash or a refused entry never leaves half a backup under the name. */
function writeAtomically(path: string, data: string): void {
  const tmp = join(dirname(path), `.${Date.now()}-${process.pid}.registry-export.tmp`);
  try {
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (err) {
    throw new UsageError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

async function exportFile(ctx: CommandContext): Promise<number> {
  const { values, env, out } = ctx;
  const path = optString(values, 'out');
  if (out.json && path === undefined) {
    throw new UsageError('--json needs --out FILE', 'without --out the export itself goes to stdout');
  }
  const pinned = pinnedGenesis(values, env);
  if (pinned === undefined) out.note(UNPINNED_WARNING);
  const token = env.REGISTRY_TOKEN?.trim() || undefined;
  const { header, lines } = await exportLog({ client: clientOf(ctx), token, pinned, now: Date.now });
  const text = `${JSON.stringify(header)}\n${lines.map((l) => `${l}\n`).join('')}`;
  if (path === undefined) {
    out.line(text.trimEnd());
    out.note(`# exported ${lines.length} log entries (registry version ${header.registry_version})`);
    return 0;
  }
  writeAtomically(path, text);
  const summary = {
    out: path,
    registry_version: header.registry_version,
    entries: lines.length,
    genesis: header.genesis,
    genesis_pinned: header.genesis_pinned,
    checkpoint: header.checkpoint !== undefined,
  };
  if (out.json) out.value(summary);
  else {
    out.line(
      `wrote ${path}: ${lines.length} log entries, registry version ${header.registry_version}, every one verified`,
    );
    out.line(`genesis ${header.genesis}${header.genesis_pinned ? ' (pinned)' : ' (trusted as found)'}`);
    out.line(
      header.checkpoint === undefined
        ? 'no checkpoint (the server serves no /log/checkpoint)'
        : 'checkpoint included',
    );
  }
  return 0;
}

async function exportDir(ctx: CommandContext, dir: string): Promise<number> {
  const { values, out } = ctx;
  const raw = optString(values, 'format') ?? 'json';
  if (raw !== 'json' && raw !== 'yaml')
    throw new UsageError(`--format ${JSON.stringify(raw)}`, 'json or yaml');
  const format: DirFormat = raw;
  if (optString(values, 'out') !== undefined) throw new UsageError('give --out FILE or --dir DIR, not both');
  const client = clientOf(ctx);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new UsageError(`cannot create ${dir}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const written = new Set<string>();
  for await (const item of client.listAll({ limit: 1000 })) {
    const { descriptor: d } = await client.get(item.id);
    const name = fileName(d.id, format);
    const doc = {
      id: d.id,
      kind: d.kind,
      body: d.body,
      ...(d.deprecated === true ? { deprecated: true as const } : {}),
    };
    try {
      writeFileSync(join(dir, name), renderFile(doc, format));
    } catch (err) {
      throw new UsageError(
        `cannot write ${join(dir, name)}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    written.add(name);
  }
  // Never delete what a team keeps in Git: files no head has are named, not removed.
  const others = descriptorFiles(dir).filter((n) => !written.has(n));
  if (others.length > 0) {
    out.note(
      `warning: ${dir} also holds ${others.join(', ')}: no head wrote ${others.length === 1 ? 'it' : 'them'}; \`registry plan\` reads every file`,
    );
  }
  if (out.json) out.value({ dir, format, files: written.size, others });
  else out.line(`wrote ${written.size} files to ${dir} (${format}), one per head`);
  return 0;
}

export const exportCommand: CommandSpec = {
  name: 'export',
  summary:
    'Back up the whole log (every entry with its signed descriptor, verified as a mirror verifies it) to one file, or with --dir write each head as an editable file for GitOps.',
  help: `  --out FILE               write the backup here (atomically; default stdout)
${PIN_HELP}
  --dir DIR                instead: one file per head id, { id, kind, body, deprecated? }
  --format json|yaml       with --dir: the files' format (default json)`,
  options: {
    out: { type: 'string' },
    ...PIN_OPTIONS,
    dir: { type: 'string' },
    format: { type: 'string' },
  },
  network: true,
  async run(ctx) {
    const dir = optString(ctx.values, 'dir');
    if (dir !== undefined) return exportDir(ctx, dir);
    if (optString(ctx.values, 'format') !== undefined) throw new UsageError('--format goes with --dir');
    return exportFile(ctx);
  },
};
