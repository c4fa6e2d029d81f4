import { parseBody } from './body.js';
import { withBodyDetails } from './body-details.js';
import { DIGEST_RE } from './canonical.js';
import type { Descriptor, Kind, Payload } from './descriptor.types.js';
import { badRequest } from './errors.js';
import { checkJsonValue } from './json-value.js';
import { MAX_CLOCK_SKEW_MS } from './limits.js';
import { boolean, id as idField, integer, object } from './shape.js';
import { parseSignatures, type Signature } from './signature.js';

/** SPEC §2 every kind, in the order lists and errors name them. */
export const KINDS: readonly Kind[] = ['service', 'node', 'schema', 'region_map', 'governance'];
const PAYLOAD_FIELDS = ['id', 'version', 'kind', 'body', 'prev', 'ts', 'deprecated'] as const;
const REQUIRED = ['id', 'version', 'kind', 'body', 'prev', 'ts'] as const;

/** SPEC §2: ids that only one kind may use. */
export const RESERVED_IDS: Readonly<Record<string, Kind>> = {
  regions: 'region_map',
  governance: 'governance',
};

/**
 * Parses a payload (a descriptor without `signatures`). Attacker-controlled input: after
 * this, the value is trusted to match SPEC §2, and it is the very object that was
 * submitted, so its canonical bytes are the submitter's (the server never adds or drops
 * a field). `now` is Unix ms, for the future-ts check.
 */
export function parsePayload(raw: unknown, now: number, field = 'descriptor'): Payload {
  checkJsonValue(raw, field);
  const p = object(raw, field, PAYLOAD_FIELDS, REQUIRED);
  const id = idField(p.id, `${field}.id`);
  const version = integer(p.version, `${field}.version`, 1, Number.MAX_SAFE_INTEGER);
  if (typeof p.kind !== 'string' || !KINDS.includes(p.kind as Kind)) {
    throw badRequest(`${field}.kind`, `must be one of ${KINDS.join(', ')}`);
  }
  const kind = p.kind as Kind;
  // Own keys only: `constructor` or `toString` must not find Object.prototype's members.
  const reserved = Object.hasOwn(RESERVED_IDS, id) ? RESERVED_IDS[id] : undefined;
  if (reserved !== undefined && reserved !== kind) {
    throw badRequest(`${field}.id`, `id ${JSON.stringify(id)} is reserved for kind ${reserved}`);
  }
  for (const [rid, rkind] of Object.entries(RESERVED_IDS)) {
    if (kind === rkind && id !== rid) throw badRequest(`${field}.id`, `kind ${kind} must use id ${rid}`);
  }
  if (p.prev === null) {
    if (version !== 1) throw badRequest(`${field}.prev`, 'must be the digest of the head for version > 1');
  } else {
    if (typeof p.prev !== 'string' || !DIGEST_RE.test(p.prev)) {
      throw badRequest(`${field}.prev`, 'must be null or 64 lowercase hex');
    }
    if (version === 1) throw badRequest(`${field}.prev`, 'must be null at version 1');
  }
  const ts = integer(p.ts, `${field}.ts`, 0, Number.MAX_SAFE_INTEGER);
  if (ts > now + MAX_CLOCK_SKEW_MS) throw badRequest(`${field}.ts`, 'more than 5 minutes in the future');
  if (p.deprecated !== undefined) {
    boolean(p.deprecated, `${field}.deprecated`);
    if (p.deprecated && kind === 'governance') {
      throw badRequest(`${field}.deprecated`, 'governance is the trust root and cannot be deprecated');
    }
  }
  try {
    parseBody(kind, p.body);
  } catch (err) {
    throw withBodyDetails(err, kind, p.body, `/${field}/body`);
  }
  return raw as Payload;
}

/** A whole descriptor as stored and served: payload plus signatures. */
export function parseDescriptor(raw: unknown, now: number): Descriptor {
  const d = object(raw, 'descriptor', [...PAYLOAD_FIELDS, 'signatures'], [...REQUIRED, 'signatures']);
  const { signatures, ...payload } = d;
  const sigs = parseSignatures(signatures);
  return { ...parsePayload(payload, now), signatures: sigs } as Descriptor;
}

/** Splits a descriptor into the payload that was signed and its signatures. */
export function payloadOf(d: Descriptor): Payload {
  const { signatures: _, ...payload } = d;
  return payload as Payload;
}

/** SPEC §5 POST /proposals body: `{ descriptor: <payload>, signatures: [...] }`. */
export function parseProposalRequest(
  raw: unknown,
  now: number,
): { payload: Payload; signatures: readonly Signature[] } {
  const r = object(raw, '$', ['descriptor', 'signatures'], ['descriptor', 'signatures']);
  return { payload: parsePayload(r.descriptor, now), signatures: parseSignatures(r.signatures) };
}

/** SPEC §5 POST /proposals/{id}/signatures body: `{ signatures: [...] }`. */
export function parseCosignRequest(raw: unknown): readonly Signature[] {
  const r = object(raw, '$', ['signatures'], ['signatures']);
  return parseSignatures(r.signatures);
}

export function isDeprecated(p: Payload): boolean {
  return p.deprecated === true;
}
