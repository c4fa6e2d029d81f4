import { createHash } from 'node:crypto';
import type { Descriptor, Payload } from '../../src/core/descriptor.types.js';
import { type SigningKey, signingKeyFromSeed, signPayload } from '../../src/core/keys.js';
import type { Signature } from '../../src/core/signature.js';
import { encodeSignerId, type SignerId } from '../../src/core/signer-id.js';

/** Shared fixtures for the core's unit tests and properties: real keys, real signatures. */

/** A fixed clock: every fixture ts is at or before it. */
export const NOW = 1_795_000_000_000;

/** Deterministic signing keys, so a failing case can be replayed. */
export function testKey(n: number): SigningKey {
  const seed = createHash('sha256').update(`registry-core-test-key-${n}`).digest();
  return signingKeyFromSeed(new Uint8Array(seed));
}

export const KEYS: readonly SigningKey[] = Array.from({ length: 8 }, (_, i) => testKey(i));

export function key(i: number): SigningKey {
  const k = KEYS[i];
  if (k === undefined) throw new Error(`no fixture key ${i}`);
  return k;
}

export const DIGEST_A = 'a'.repeat(64);
export const DIGEST_B = 'b'.repeat(64);

export function hexBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function signerIdFromHex(hex: string): SignerId {
  return encodeSignerId(hexBytes(hex));
}

/** The eight small-order points of edwards25519 (canonical encodings). */
export const SMALL_ORDER_KEYS_HEX: readonly string[] = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
];

/** y = 2 is not the y of any curve point. */
export const OFF_CURVE_KEY_HEX = '0200000000000000000000000000000000000000000000000000000000000000';
/** y = p: a non-canonical encoding (of y = 0), refused by strict RFC 8032 decoding. */
export const NON_CANONICAL_KEY_HEX = 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f';

export function servicePayload(over: Partial<Payload> = {}): Payload {
  return {
    id: 'svc-storage@us-east-1',
    version: 1,
    kind: 'service',
    body: {
      name: 'svc-storage',
      region: 'us-east-1',
      endpoints: [{ addr: '10.0.0.7:443', tls: true, weight: 100 }],
    },
    prev: null,
    ts: NOW - 1000,
    ...over,
  } as Payload;
}

export function nodePayload(over: Partial<Payload> = {}): Payload {
  return {
    id: 'node-1',
    version: 1,
    kind: 'node',
    body: {
      region: 'us-east-1',
      addr: '[2001:db8::1]:7000',
      capabilities: ['storage'],
      labels: { rack: 'a1' },
    },
    prev: null,
    ts: NOW - 1000,
    ...over,
  } as Payload;
}

export function regionMapPayload(over: Partial<Payload> = {}): Payload {
  return {
    id: 'regions',
    version: 1,
    kind: 'region_map',
    body: {
      regions: {
        'us-east-1': {
          services: [{ id: 'svc-storage@us-east-1', addr: 'https://storage.example', tls: true, weight: 5 }],
        },
      },
    },
    prev: null,
    ts: NOW - 1000,
    ...over,
  } as Payload;
}

export function governancePayload(
  signers: readonly SigningKey[],
  threshold: number,
  over: Partial<Payload> = {},
): Payload {
  return {
    id: 'governance',
    version: 1,
    kind: 'governance',
    body: { signers: signers.map((k) => k.signerId), threshold },
    prev: null,
    ts: NOW - 1000,
    ...over,
  } as Payload;
}

export function signAll(payload: Payload, keys: readonly SigningKey[]): Signature[] {
  return keys.map((k) => signPayload(payload, k, NOW));
}

export function signed(payload: Payload, keys: readonly SigningKey[]): Descriptor {
  return { ...payload, signatures: signAll(payload, keys) } as Descriptor;
}

type PathKey = string | number;

/** A deep copy of a JSON value with the value at `path` replaced (or deleted when `value` is DELETE). */
export const DELETE = Symbol('delete');

export function withPath(value: unknown, path: readonly PathKey[], next: unknown): unknown {
  const copy: unknown = structuredClone(value);
  if (path.length === 0) return next;
  let cursor: unknown = copy;
  for (const step of path.slice(0, -1)) {
    cursor = (cursor as Record<PathKey, unknown>)[step];
  }
  const last = path[path.length - 1] as PathKey;
  const holder = cursor as Record<PathKey, unknown>;
  if (next === DELETE) delete holder[last];
  else holder[last] = next;
  return copy;
}

/** A JSON value nested `depth` containers deep (`depth` = 1 is `[0]`). */
export function nested(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}
