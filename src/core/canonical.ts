import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { messageOf, RegistryError } from './errors.js';

/** SPEC §2: domain separation so a descriptor signature can never be replayed as anything else. */
export const SIGNING_DOMAIN = 'ron-registry/descriptor/v1\n';
const DOMAIN_BYTES = Buffer.from(SIGNING_DOMAIN, 'utf8');

/** RFC 8785 (JCS) canonical JSON text of a JSON value. */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (cause) {
    throw new RegistryError('BadRequest', `value has no canonical JSON form: ${messageOf(cause)}`, '', {
      cause,
    });
  }
  if (text === undefined) throw new RegistryError('BadRequest', 'value has no canonical JSON form');
  return text;
}

/** SPEC §2: signing bytes = domain tag ‖ JCS(payload). */
export function signingBytes(payload: unknown): Uint8Array {
  const body = Buffer.from(canonicalJson(payload), 'utf8');
  const out = Buffer.allocUnsafe(DOMAIN_BYTES.length + body.length);
  DOMAIN_BYTES.copy(out, 0);
  body.copy(out, DOMAIN_BYTES.length);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** SPEC §2: digest = lowercase hex SHA-256 of the signing bytes; it is also the proposal_id. */
export function digestOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export const DIGEST_RE = /^[0-9a-f]{64}$/;
