import { hash } from 'node:crypto';
import {
  canonicalJson,
  type Descriptor,
  digestOf,
  type Kind,
  type Payload,
  parseDescriptor,
  parseJsonText,
  SIGNING_DOMAIN,
  type Signature,
  signingBytes,
} from '../core/index.js';
import type { CheckpointRow } from '../store/index.js';

/**
 * One stored descriptor version as the snapshot serves it: the exact bytes plus what lists
 * need (a checkpoint row) and the ETag header value.
 */
export interface Entry extends CheckpointRow {
  /** `"<digest>"`, ready for the ETag header. */
  readonly etag: string;
}

/** The stored and served bytes of a signed descriptor (SPEC §2, §4). */
export function descriptorBytes(payload: Payload, signatures: readonly Signature[]): Buffer {
  return Buffer.from(canonicalJson({ ...payload, signatures }), 'utf8');
}

export function entryOf(payload: Payload, bytes: Buffer, digest: string): Entry {
  return {
    id: payload.id,
    version: payload.version,
    kind: payload.kind,
    deprecated: payload.deprecated === true,
    ts: payload.ts,
    digest,
    etag: `"${digest}"`,
    bytes,
  };
}

// A descriptor already applied was checked against the writer's clock; re-reading it later
// (a restart, a replica, a mirror) must not refuse it under SPEC §2's future-`ts` rule.
const READ_BACK_NOW = Number.MAX_SAFE_INTEGER - 10 * 60 * 1000;

/**
 * Parses the bytes of an applied descriptor (this store's, the cluster stream's) strictly as
 * SPEC §2 says, except for the future-`ts` admission rule.
 */
export function parseAppliedDescriptor(bytes: Uint8Array): Descriptor {
  return parseDescriptor(parseJsonText(Buffer.from(bytes).toString('utf8')), READ_BACK_NOW);
}

/**
 * Rebuilds an entry from stored bytes. The store is this registry's own, written after
 * full verification, so this re-derives the digest without re-checking signatures.
 */
export function entryFromBytes(raw: Uint8Array): { entry: Entry; descriptor: Descriptor } {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const descriptor = JSON.parse(bytes.toString('utf8')) as Descriptor;
  const { signatures: _, ...payload } = descriptor;
  const digest = digestOf(signingBytes(payload));
  return { entry: entryOf(payload as Payload, bytes, digest), descriptor };
}

const DOMAIN = Buffer.from(SIGNING_DOMAIN, 'utf8');
const TAIL_RE = /\],"ts":([0-9]{1,16}),"version":([0-9]{1,16})\}$/;
const MID_RE =
  /^,"id":"([^"\\]+)","kind":"(service|node|schema|region_map|governance)","prev":(null|"[0-9a-f]{64}")$/;
// Reused across calls: the digest input is assembled here, then hashed in one shot.
let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * Start-up fast path (SPEC §10: ready in ≤ 500 ms with 100k descriptors): the stored bytes
 * are the JCS of the whole descriptor, whose top-level members after `body` come in a fixed
 * order, so the payload's JCS is those bytes with the `,"signatures":[…]` member cut out,
 * and the digest is hashed from the two slices without parsing or re-canonicalising.
 * Anything that does not match that exact layout takes the full parse (`entryFromBytes`);
 * a property test checks both agree.
 */
export function entryFromStored(id: string, version: number, raw: Uint8Array): Entry {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  // latin1 maps bytes 1:1 to one-byte chars, so string offsets are byte offsets.
  const text = bytes.toString('latin1');
  const tail = TAIL_RE.exec(text.slice(-48));
  const end = tail === null ? -1 : text.length - (tail[0] as string).length;
  const start = end < 0 ? -1 : text.lastIndexOf(',"signatures":[', end);
  const idAt = start < 0 ? -1 : text.lastIndexOf(`,"id":"${id}","kind":"`, start);
  const mid = idAt < 0 ? null : MID_RE.exec(text.slice(idAt, start));
  if (tail === null || mid === null || mid[1] !== id || Number(tail[2]) !== version) {
    return entryFromBytes(bytes).entry;
  }
  const deprecated = text.endsWith(',"deprecated":true', idAt);
  const n = DOMAIN.length + start + (bytes.length - end - 1);
  if (n > scratch.length) scratch = Buffer.allocUnsafe(n * 2);
  DOMAIN.copy(scratch, 0);
  bytes.copy(scratch, DOMAIN.length, 0, start);
  bytes.copy(scratch, DOMAIN.length + start, end + 1);
  const digest = hash('sha256', scratch.subarray(0, n), 'hex');
  return {
    id,
    version,
    kind: mid[2] as Kind,
    deprecated,
    ts: Number(tail[1]),
    digest,
    etag: `"${digest}"`,
    bytes,
  };
}
