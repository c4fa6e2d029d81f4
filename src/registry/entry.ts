import {
  canonicalJson,
  type Descriptor,
  digestOf,
  type Kind,
  type Payload,
  type Signature,
  signingBytes,
} from '../core/index.js';

/** One stored descriptor version as the snapshot serves it: exact bytes plus what lists need. */
export interface Entry {
  readonly id: string;
  readonly version: number;
  readonly kind: Kind;
  readonly deprecated: boolean;
  /** The descriptor's own ts (Unix ms, set by the proposer). */
  readonly ts: number;
  readonly digest: string;
  /** `"<digest>"`, ready for the ETag header. */
  readonly etag: string;
  /** SPEC §2: the JCS form of the whole signed descriptor, exactly as stored and served. */
  readonly bytes: Buffer;
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
