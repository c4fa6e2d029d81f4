import type { WatchEvent } from '../../client/index.js';
import { isRegistryError, parseJsonText, RegistryError } from '../../core/index.js';

/**
 * `registry export` writes one file, JSON Lines: a header, then one line per log entry in seq
 * order (SPEC §4 `log/`, with the descriptor that entry names as stored, §13's leaf content).
 */
export const EXPORT_FORMAT = 'registry-export/v1';

export interface ExportHeader {
  readonly format: typeof EXPORT_FORMAT;
  /** The last seq exported: the file holds seqs 1..registry_version, every one. */
  readonly registry_version: number;
  readonly exported_at: string;
  /** The registry it was read from (informational). */
  readonly source: string;
  /** The digest of seq 1 (governance version 1): the trust root a restore pins. */
  readonly genesis: string;
  /** True when the export checked seq 1 against a pinned allow-list and threshold. */
  readonly genesis_pinned: boolean;
  /** SPEC §13: the log's signed checkpoint as served before the replay (size ≤ registry_version). */
  readonly checkpoint?: string;
}

export interface ExportLine {
  readonly seq: number;
  readonly type: 'published' | 'deprecated';
  readonly descriptor_id: string;
  readonly version: number;
  readonly digest: string;
  /** The log entry's `ts` (apply time, server clock). */
  readonly ts: number;
  /** From the log's entry bundles (SPEC §13), when the server has a transparency log. */
  readonly applied_by?: string;
  /** The signed descriptor, as served (JCS); checked again on import. */
  readonly descriptor: unknown;
}

const SEQ_MAX = Number.MAX_SAFE_INTEGER;

function bad(where: string, problem: string): RegistryError {
  return new RegistryError('BadRequest', `${where}: ${problem}`, 'is this a `registry export` file?');
}

function obj(raw: unknown, where: string): Readonly<Record<string, unknown>> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(where, 'not a JSON object');
  return raw as Readonly<Record<string, unknown>>;
}

function int(raw: unknown, where: string, min: number): number {
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < min || raw > SEQ_MAX) {
    throw bad(where, `not an integer ≥ ${min}`);
  }
  return raw;
}

function text(raw: unknown, where: string): string {
  if (typeof raw !== 'string') throw bad(where, 'not a string');
  return raw;
}

function known(r: Readonly<Record<string, unknown>>, fields: readonly string[], where: string): void {
  for (const k of Object.keys(r)) if (!fields.includes(k)) throw bad(where, `unknown field ${k}`);
}

function json(line: string, where: string): unknown {
  try {
    return parseJsonText(line);
  } catch (err) {
    if (isRegistryError(err)) throw bad(where, err.message);
    throw err;
  }
}

const HEADER_FIELDS = [
  'format',
  'registry_version',
  'exported_at',
  'source',
  'genesis',
  'genesis_pinned',
  'checkpoint',
];
const LINE_FIELDS = ['seq', 'type', 'descriptor_id', 'version', 'digest', 'ts', 'applied_by', 'descriptor'];

/** Line 1. Attacker-controlled (a backup from anywhere): shape-checked before anything is trusted. */
export function parseHeader(line: string): ExportHeader {
  const r = obj(json(line, 'line 1'), 'line 1');
  if (r.format !== EXPORT_FORMAT) {
    throw bad('line 1', `format ${JSON.stringify(r.format)} is not ${EXPORT_FORMAT}`);
  }
  known(r, HEADER_FIELDS, 'line 1');
  if (typeof r.genesis_pinned !== 'boolean') throw bad('line 1', 'genesis_pinned is not a boolean');
  return {
    format: EXPORT_FORMAT,
    registry_version: int(r.registry_version, 'line 1 registry_version', 1),
    exported_at: text(r.exported_at, 'line 1 exported_at'),
    source: text(r.source, 'line 1 source'),
    genesis: text(r.genesis, 'line 1 genesis'),
    genesis_pinned: r.genesis_pinned,
    ...(r.checkpoint === undefined ? {} : { checkpoint: text(r.checkpoint, 'line 1 checkpoint') }),
  };
}

/** One entry line; `n` is its line number (for messages). */
export function parseLine(line: string, n: number): ExportLine {
  const where = `line ${n}`;
  const r = obj(json(line, where), where);
  known(r, LINE_FIELDS, where);
  const type = r.type;
  if (type !== 'published' && type !== 'deprecated') throw bad(where, 'type is not published or deprecated');
  return {
    seq: int(r.seq, `${where} seq`, 1),
    type,
    descriptor_id: text(r.descriptor_id, `${where} descriptor_id`),
    version: int(r.version, `${where} version`, 1),
    digest: text(r.digest, `${where} digest`),
    ts: int(r.ts, `${where} ts`, 0),
    ...(r.applied_by === undefined ? {} : { applied_by: text(r.applied_by, `${where} applied_by`) }),
    descriptor: obj(r.descriptor, `${where} descriptor`),
  };
}

/** The `/watch` event a line stands for, so the mirror's checks (SPEC §11) read it unchanged. */
export function eventOf(line: ExportLine): WatchEvent {
  return {
    type: 'event',
    seq: line.seq,
    event: {
      specversion: '1.0',
      id: String(line.seq),
      source: '/v1/registry',
      type: line.type === 'deprecated' ? 'registry.deprecated' : 'registry.published',
      subject: line.descriptor_id,
      time: new Date(line.ts).toISOString(),
      datacontenttype: 'application/json',
      data: {
        descriptor_id: line.descriptor_id,
        version: line.version,
        digest: line.digest,
        ts: line.ts,
        registry_version: line.seq,
      },
    },
  };
}
