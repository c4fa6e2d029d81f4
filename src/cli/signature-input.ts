import {
  encodeBase64url,
  isRegistryError,
  type Payload,
  parseSignature,
  parseSignerId,
  type Signature,
  signPayload,
} from '../core/index.js';
import type { Values } from './command.types.js';
import { readInput } from './input-file.js';
import { readSigningKey } from './key-file.js';
import { UsageError } from './usage-error.js';
import { strings } from './values.js';

/** The signature flags shared by `propose`, `cosign` and `sign`. */
export const SIGNATURE_OPTIONS = {
  key: { type: 'string', multiple: true },
  sig: { type: 'string', multiple: true },
  'sig-file': { type: 'string', multiple: true },
  'signer-id': { type: 'string', multiple: true },
} as const;

export const SIGNATURE_HELP = `  --key FILE.pem           sign with this PKCS#8 ed25519 key (repeatable)
  --sig JSON|FILE          a signature object or array, inline or in a file (e.g. from \`registry sign\`) (repeatable)
  --sig-file FILE          a raw 64-byte ed25519 signature (e.g. from \`openssl pkeyutl -sign -rawin\`) (repeatable)
  --signer-id ID           the signer of the matching --sig-file, in the same order (repeatable)`;

function local<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (isRegistryError(err) && !(err instanceof UsageError)) throw new UsageError(`${what}: ${err.message}`);
    throw err;
  }
}

function fromSigFlag(text: string): Signature[] {
  const trimmed = text.trim();
  const json =
    trimmed.startsWith('{') || trimmed.startsWith('[') ? trimmed : readInput(text).toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new UsageError(`--sig ${text.slice(0, 60)}: not a JSON signature object or a file holding one`);
  }
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((item, i) => local('--sig', () => parseSignature(item, `--sig[${i}]`)));
}

function rawSignature(path: string): Uint8Array {
  const data = readInput(path);
  if (data.length === 64) return new Uint8Array(data);
  // Also accept the base64url text of the 64 bytes (what `sig` holds on the wire).
  const text = data.toString('utf8').trim();
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length === 64 && bytes.toString('base64url') === text) return new Uint8Array(bytes);
  throw new UsageError(`${path}: expected a raw 64-byte ed25519 signature, got ${data.length} bytes`);
}

/** `1 --sig-file`, `2 --sig-file flags`, `no --signer-id`. */
function countOf(n: number, flagName: string): string {
  return n === 0 ? `no ${flagName}` : n === 1 ? `1 ${flagName}` : `${n} ${flagName} flags`;
}

/**
 * Every signature the flags name, in flag order: `--sig`, then `--sig-file`/`--signer-id`
 * pairs, then one made with each `--key` over the payload's signing bytes. A signer that
 * appears twice keeps its first signature (SPEC §3 refuses duplicates in one request).
 */
export function collectSignatures(
  values: Values,
  payload: Payload | undefined,
  now: number,
  base: readonly Signature[] = [],
): Signature[] {
  const out: Signature[] = [...base];
  for (const s of strings(values, 'sig')) out.push(...fromSigFlag(s));
  const files = strings(values, 'sig-file');
  const ids = strings(values, 'signer-id');
  if (files.length !== ids.length) {
    throw new UsageError(
      `${countOf(files.length, '--sig-file')} but ${countOf(ids.length, '--signer-id')}: each raw signature needs the signer_id of its key`,
      'pair each raw signature file with the signer_id of its key (`registry signer-id --key key.pem`)',
    );
  }
  files.forEach((file, i) => {
    const signerId = local('--signer-id', () => parseSignerId(ids[i], '--signer-id'));
    out.push({ signer_id: signerId, alg: 'ed25519', sig: encodeBase64url(rawSignature(file)), ts: now });
  });
  const keys = strings(values, 'key');
  if (keys.length > 0 && payload === undefined) throw new UsageError('--key needs the descriptor to sign');
  for (const file of keys) {
    if (payload !== undefined) out.push(signPayload(payload, readSigningKey(file), now));
  }
  const seen = new Set<string>();
  return out.filter((s) => {
    if (seen.has(s.signer_id)) return false;
    seen.add(s.signer_id);
    return true;
  });
}
