import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ID_RE } from '../../core/index.js';
import { UsageError } from '../usage-error.js';

/**
 * The GitOps file of one head: what a team edits and reviews. The payload without what the
 * registry fills in at each version (`version`, `prev`, `ts`) and without `signatures`:
 * `{ id, kind, body, deprecated? }`, `deprecated` present only when true.
 */
export interface TopologyFile {
  readonly id: string;
  readonly kind: string;
  readonly body: unknown;
  readonly deprecated?: true;
}

export type DirFormat = 'json' | 'yaml';

/** A file read back, with the name it came from. */
export interface ReadFile extends Omit<TopologyFile, 'deprecated'> {
  readonly deprecated: boolean;
  readonly file: string;
}

const FIELDS = new Set(['id', 'kind', 'body', 'deprecated']);
const EXT = /\.(json|ya?ml)$/;

export function fileName(id: string, format: DirFormat): string {
  return `${id}.${format}`;
}

/** The file's text: JSON pretty-printed, or YAML 1.2 (the `yaml` package's default core schema). */
export function renderFile(doc: TopologyFile, format: DirFormat): string {
  return format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : stringifyYaml(doc);
}

function parseText(name: string, text: string): unknown {
  try {
    return name.endsWith('.json') ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown);
  } catch (err) {
    throw new UsageError(
      `${name}: not ${name.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
    );
  }
}

/** Shape of one file; the body itself is checked by the core parser when a draft is built. */
function parseFile(name: string, raw: unknown): ReadFile {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UsageError(`${name}: expected an object { id, kind, body, deprecated? }`);
  }
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!FIELDS.has(k)) {
      throw new UsageError(
        `${name}: unknown field ${k}`,
        'a topology file holds id, kind, body and deprecated only (version, prev and ts are drafted)',
      );
    }
  }
  const { id, kind, body, deprecated } = r;
  if (typeof id !== 'string' || !ID_RE.test(id)) throw new UsageError(`${name}: id is not a descriptor id`);
  if (typeof kind !== 'string') throw new UsageError(`${name}: kind is not a string`);
  if (body === undefined) throw new UsageError(`${name}: body is missing`);
  if (deprecated !== undefined && typeof deprecated !== 'boolean') {
    throw new UsageError(`${name}: deprecated is not a boolean`);
  }
  // One file per id, named after it: a copied file that still names another id is a mistake.
  if (name.replace(EXT, '') !== id) {
    throw new UsageError(`${name} holds id ${id}`, `name the file ${id}.json or ${id}.yaml`);
  }
  return { id, kind, body, deprecated: deprecated === true, file: name };
}

/** Every `*.json`, `*.yaml`, `*.yml` directly in `dir` (other files, e.g. a README, are ignored). */
export function descriptorFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && EXT.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    throw new UsageError(`--dir ${dir}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
}

/** The directory's files by id; two files for one id is a usage error. */
export function readTopologyDir(dir: string): Map<string, ReadFile> {
  const out = new Map<string, ReadFile>();
  for (const name of descriptorFiles(dir)) {
    const f = parseFile(name, parseText(name, readFileSync(join(dir, name), 'utf8')));
    const other = out.get(f.id);
    if (other !== undefined) throw new UsageError(`${other.file} and ${name} both hold ${f.id}`, 'keep one');
    out.set(f.id, f);
  }
  return out;
}
