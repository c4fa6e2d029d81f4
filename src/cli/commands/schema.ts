import type { CompatibilityQuery, CompatibilityVerdict, SchemaVerdict } from '../../client/index.js';
import {
  COMPATIBILITY_MODES,
  COMPATIBILITY_POLICIES,
  type CompatibilityMode,
  type CompatibilityPolicy,
} from '../../core/index.js';
import { clientOf } from '../client-of.js';
import type { CommandSpec, Output, Values } from '../command.types.js';
import { readJsonFile } from '../input-file.js';
import { UsageError } from '../usage-error.js';
import { optInt, optString, reqString } from '../values.js';

function modeFlags(values: Values): Omit<CompatibilityQuery, 'against'> {
  const mode = optString(values, 'mode');
  const policy = optString(values, 'policy');
  if (mode !== undefined && !COMPATIBILITY_MODES.includes(mode as CompatibilityMode)) {
    throw new UsageError(`--mode ${JSON.stringify(mode)}`, `one of ${COMPATIBILITY_MODES.join(', ')}`);
  }
  if (policy !== undefined && !COMPATIBILITY_POLICIES.includes(policy as CompatibilityPolicy)) {
    throw new UsageError(`--policy ${JSON.stringify(policy)}`, `one of ${COMPATIBILITY_POLICIES.join(', ')}`);
  }
  return {
    ...(mode === undefined ? {} : { mode: mode as CompatibilityMode }),
    ...(policy === undefined ? {} : { policy: policy as CompatibilityPolicy }),
  };
}

/** Prints a compatibility verdict; exit 0 when compatible, 1 when not (scripts gate on it). */
function printVerdict(out: Output, v: CompatibilityVerdict, what: string): number {
  if (out.json) out.value(v);
  else {
    const against = v.against.map((n) => `v${n}`).join(', ');
    out.line(
      `${what}: ${v.compatible ? 'compatible' : 'INCOMPATIBLE'} under ${v.mode} (${v.policy}) against ${against}`,
    );
    for (const x of v.violations) out.line(`  v${x.against}  ${x.change}  ${x.path || '/'}: ${x.message}`);
  }
  return v.compatible ? 0 : 1;
}

/** Prints a validation verdict; exit 0 when valid, 1 when not. */
function printValidation(out: Output, v: SchemaVerdict): number {
  if (out.json) out.value(v);
  else {
    out.line(`${v.valid ? 'valid' : 'INVALID'} against ${v.id} v${v.version} (${v.digest.slice(0, 12)})`);
    for (const e of v.errors) out.line(`  ${e.path || '/'}: ${e.message} (${e.schema_path})`);
  }
  return v.valid ? 0 : 1;
}

export const schemaValidate: CommandSpec = {
  name: 'schema validate',
  summary:
    'Validate a JSON value against a schema version (SPEC §12): exit 0 when valid, 1 with every error when not.',
  help: `  --id ID                  the schema (required)
  --version N              that version instead of the head
  --data FILE.json         the value to validate (required; - reads stdin)`,
  options: { id: { type: 'string' }, version: { type: 'string' }, data: { type: 'string' } },
  network: true,
  async run(ctx) {
    const { values, out } = ctx;
    const id = reqString(values, 'id');
    const value = readJsonFile(reqString(values, 'data'));
    const version = optInt(values, 'version', 1);
    return printValidation(out, await clientOf(ctx).validateRemote(id, value, version));
  },
};

export const schemaCheck: CommandSpec = {
  name: 'schema check',
  summary:
    'Check a candidate schema body against the stored versions before proposing it (SPEC §12): exit 0 when compatible, 1 with every violation when not.',
  help: `  --id ID                  the schema (required)
  --file BODY.json         the candidate body { format, schema, … }, or a descriptor file holding one (required)
  --against latest|all|N   which versions (default: as the mode in force says)
  --mode MODE              check under this mode instead of the mode in force
  --policy strict|lenient  and this policy`,
  options: {
    id: { type: 'string' },
    file: { type: 'string' },
    against: { type: 'string' },
    mode: { type: 'string' },
    policy: { type: 'string' },
  },
  network: true,
  async run(ctx) {
    const { values, out } = ctx;
    const id = reqString(values, 'id');
    const raw = readJsonFile(reqString(values, 'file')) as Record<string, unknown> | null;
    // A descriptor file (what `registry draft` writes) holds the body under `body`, or under
    // `descriptor.body` for a proposal body.
    const nested = (raw?.descriptor as Record<string, unknown> | undefined) ?? raw;
    const body = nested !== null && typeof nested === 'object' && 'kind' in nested ? nested.body : raw;
    const againstRaw = optString(values, 'against');
    let against: CompatibilityQuery['against'];
    if (againstRaw === 'latest' || againstRaw === 'all') against = againstRaw;
    else if (againstRaw !== undefined) against = optInt(values, 'against', 1);
    const q = { ...modeFlags(values), ...(against === undefined ? {} : { against }) };
    return printVerdict(out, await clientOf(ctx).compatibility(id, body, q), `${id} candidate`);
  },
};

export const schemaDiff: CommandSpec = {
  name: 'schema diff',
  summary:
    'Compatibility between two stored versions of a schema (SPEC §12): what changed from --from to --to, as violations of the mode.',
  help: `  --id ID                  the schema (required)
  --from A                 the older version (required)
  --to B                   the newer version (required)
  --mode MODE              default BACKWARD
  --policy strict|lenient  default strict`,
  options: {
    id: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    mode: { type: 'string' },
    policy: { type: 'string' },
  },
  network: true,
  async run(ctx) {
    const { values, out } = ctx;
    const id = reqString(values, 'id');
    const from = optInt(values, 'from', 1);
    const to = optInt(values, 'to', 1);
    if (from === undefined || to === undefined) throw new UsageError('--from and --to are required');
    const v = await clientOf(ctx).compatibilityBetween(id, from, to, modeFlags(values));
    return printVerdict(out, v, `${id} v${from} → v${to}`);
  },
};
