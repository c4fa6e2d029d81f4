import {
  digestOf,
  ID_RE,
  type Payload,
  parseDescriptor,
  parseJsonText,
  parsePayload,
  payloadOf,
  RegistryError,
  signingBytes,
} from '../core/index.js';
import type {
  CloudEvent,
  DescriptorResponse,
  ListItem,
  ListPage,
  ProgressNote,
  ProposalSummary,
  RegionMapResponse,
  VersionInfo,
  WatchEvent,
} from './client.types.js';
import type { SseMessage } from './sse.js';

/**
 * Shape checks for what the server answers. Attacker-controlled input for a watcher (a
 * hostile mirror or a man in the middle): past these, values have the types they claim.
 */

const DIGEST = /^[0-9a-f]{64}$/;
const SEQ = /^[0-9]{1,16}$/;
const KINDS = new Set(['service', 'node', 'region_map', 'governance']);

function bad(what: string, problem: string): RegistryError {
  return new RegistryError(
    'BadRequest',
    `malformed response: ${what} ${problem}`,
    'is this a registry (SPEC §5)?',
  );
}

export function record(raw: unknown, what: string): Readonly<Record<string, unknown>> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(what, 'is not an object');
  return raw as Readonly<Record<string, unknown>>;
}

export function int(raw: unknown, what: string, min = 0): number {
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < min)
    throw bad(what, `is not an integer ≥ ${min}`);
  return raw;
}

export function str(raw: unknown, what: string): string {
  if (typeof raw !== 'string') throw bad(what, 'is not a string');
  return raw;
}

function digest(raw: unknown, what: string): string {
  if (typeof raw !== 'string' || !DIGEST.test(raw)) throw bad(what, 'is not 64 lowercase hex');
  return raw;
}

function descriptorId(raw: unknown, what: string): string {
  if (typeof raw !== 'string' || !ID_RE.test(raw)) throw bad(what, 'is not a descriptor id');
  return raw;
}

function bool(raw: unknown, what: string): boolean {
  if (typeof raw !== 'boolean') throw bad(what, 'is not a boolean');
  return raw;
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new RegistryError('BadRequest', `malformed response: ${what} is not JSON`, '', { cause });
  }
}

function strings(raw: unknown, what: string): string[] {
  if (!Array.isArray(raw)) throw bad(what, 'is not an array');
  return raw.map((v, i) => str(v, `${what}[${i}]`));
}

/** GET /proposals (SPEC §5), shape-checked. */
export function parseProposalPage(raw: unknown): { items: ProposalSummary[]; next_cursor: string | null } {
  const r = record(raw, 'proposal page');
  if (!Array.isArray(r.items)) throw bad('proposal page items', 'is not an array');
  const items = r.items.map((it: unknown, i): ProposalSummary => {
    const w = `items[${i}]`;
    const e = record(it, w);
    const status = str(e.status, `${w}.status`);
    if (status !== 'pending' && status !== 'ready') throw bad(`${w}.status`, 'is not pending or ready');
    if (!Array.isArray(e.sets)) throw bad(`${w}.sets`, 'is not an array');
    return {
      proposal_id: digest(e.proposal_id, `${w}.proposal_id`),
      descriptor_id: descriptorId(e.descriptor_id, `${w}.descriptor_id`),
      version: int(e.version, `${w}.version`, 1),
      kind: str(e.kind, `${w}.kind`),
      status,
      signatures: int(e.signatures, `${w}.signatures`),
      threshold: int(e.threshold, `${w}.threshold`),
      signed_by: strings(e.signed_by, `${w}.signed_by`),
      missing: strings(e.missing, `${w}.missing`),
      sets: e.sets.map((raw: unknown, j) => {
        const s = record(raw, `${w}.sets[${j}]`);
        const set = str(s.set, `${w}.sets[${j}].set`);
        if (set !== 'current' && set !== 'new') throw bad(`${w}.sets[${j}].set`, 'is not current or new');
        return {
          set,
          threshold: int(s.threshold, `${w}.sets[${j}].threshold`, 1),
          signed_by: strings(s.signed_by, `${w}.sets[${j}].signed_by`),
          missing: strings(s.missing, `${w}.sets[${j}].missing`),
        };
      }),
      expires_at: str(e.expires_at, `${w}.expires_at`),
    };
  });
  const next = r.next_cursor;
  if (next !== null && typeof next !== 'string') throw bad('next_cursor', 'is not a string or null');
  return { items, next_cursor: next };
}

export function parseListPage(raw: unknown): ListPage {
  const r = record(raw, 'list page');
  if (!Array.isArray(r.items)) throw bad('list page items', 'is not an array');
  const items = r.items.map((it: unknown, i): ListItem => {
    const e = record(it, `items[${i}]`);
    const kind = str(e.kind, `items[${i}].kind`);
    if (!KINDS.has(kind)) throw bad(`items[${i}].kind`, 'is not a kind');
    return {
      id: descriptorId(e.id, `items[${i}].id`),
      version: int(e.version, `items[${i}].version`, 1),
      kind: kind as ListItem['kind'],
      digest: digest(e.digest, `items[${i}].digest`),
      deprecated: bool(e.deprecated, `items[${i}].deprecated`),
      ts: int(e.ts, `items[${i}].ts`),
    };
  });
  const next = r.next_cursor;
  if (next !== null && typeof next !== 'string') throw bad('next_cursor', 'is not a string or null');
  return { items, next_cursor: next };
}

export function parseVersions(raw: unknown): VersionInfo[] {
  if (!Array.isArray(raw)) throw bad('versions', 'is not an array');
  return raw.map((it: unknown, i) => {
    const e = record(it, `versions[${i}]`);
    return {
      version: int(e.version, `versions[${i}].version`, 1),
      digest: digest(e.digest, `versions[${i}].digest`),
      ts: int(e.ts, `versions[${i}].ts`),
      deprecated: bool(e.deprecated, `versions[${i}].deprecated`),
    };
  });
}

/** SPEC §6: one `/watch` message as a log event or a progress note; undefined for other events. */
export function parseWatchMessage(m: SseMessage): WatchEvent | ProgressNote | undefined {
  if (m.event === 'progress') {
    const r = record(parseJson(m.data, 'progress note'), 'progress note');
    return { type: 'progress', registryVersion: int(r.registry_version, 'progress registry_version') };
  }
  if (m.event !== 'published' && m.event !== 'deprecated') return undefined;
  if (m.id === undefined || !SEQ.test(m.id)) throw bad(`${m.event} event id`, 'is not a seq');
  const seq = Number(m.id);
  const ce = record(parseJson(m.data, `event ${seq}`), `event ${seq}`);
  const d = record(ce.data, `event ${seq} data`);
  const event: CloudEvent = {
    specversion: ce.specversion === '1.0' ? '1.0' : badField(seq, 'specversion'),
    id: str(ce.id, `event ${seq} id`),
    source: str(ce.source, `event ${seq} source`),
    type: ce.type === `registry.${m.event}` ? (ce.type as CloudEvent['type']) : badField(seq, 'type'),
    subject: str(ce.subject, `event ${seq} subject`),
    time: str(ce.time, `event ${seq} time`),
    datacontenttype: str(ce.datacontenttype, `event ${seq} datacontenttype`),
    data: {
      descriptor_id: descriptorId(d.descriptor_id, `event ${seq} data.descriptor_id`),
      version: int(d.version, `event ${seq} data.version`, 1),
      digest: digest(d.digest, `event ${seq} data.digest`),
      ts: int(d.ts, `event ${seq} data.ts`),
      registry_version: int(d.registry_version, `event ${seq} data.registry_version`),
    },
  };
  // The SSE id, the CloudEvents id and registry_version all name the same seq (SPEC §6).
  if (event.id !== m.id || event.data.registry_version !== seq) throw badField(seq, 'id/registry_version');
  if (event.subject !== event.data.descriptor_id) throw badField(seq, 'subject');
  return { type: 'event', seq, event };
}

function badField(seq: number, field: string): never {
  throw bad(`event ${seq} ${field}`, 'does not match SPEC §6');
}

/**
 * SPEC §2's future-`ts` rule is the server's admission check at propose time; a reader
 * whose clock lags must not refuse what the registry already holds, so parsing here
 * passes a `now` no timestamp can exceed.
 */
const READER_NOW = Number.MAX_SAFE_INTEGER - 10 * 60 * 1000;

/** Ids are path-safe by SPEC §2; anything else is percent-encoded (and answered 404). */
export function segment(id: string): string {
  return ID_RE.test(id) ? id : encodeURIComponent(id);
}

function registryVersionOf(res: Response): number {
  const v = Number(res.headers.get('x-registry-version') ?? Number.NaN);
  return Number.isSafeInteger(v) ? v : 0;
}

/** A served descriptor, parsed (SPEC §2 shape), its digest computed and held against the ETag. */
export function parseServedDescriptor(text: string, res: Response, what: string): DescriptorResponse {
  const descriptor = parseDescriptor(parseJsonText(text), READER_NOW);
  const digest = digestOf(signingBytes(payloadOf(descriptor)));
  const etag = res.headers.get('etag') ?? '';
  if (etag !== '' && etag !== `"${digest}"`) {
    throw new RegistryError('BadSignature', `${what}: ETag ${etag} is not the digest of the served payload`);
  }
  return {
    descriptor,
    digest,
    etag: etag === '' ? `"${digest}"` : etag,
    registryVersion: registryVersionOf(res),
    body: text,
  };
}

export function parseRegionMap(text: string, res: Response): RegionMapResponse {
  const r = record(parseJsonText(text), 'region map');
  return {
    version: int(r.version, 'region map version', 1),
    digest: digest(r.digest, 'region map digest'),
    regions: record(r.regions, 'region map regions') as RegionMapResponse['regions'],
    etag: res.headers.get('etag') ?? '',
    registryVersion: registryVersionOf(res),
  };
}

/** The payload of a proposal view, parsed as at propose time (minus the clock rule). */
export function parseProposalPayload(raw: unknown): Payload {
  return parsePayload(raw, READER_NOW);
}
