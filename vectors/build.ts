/** Helpers the vector builders share: plain-JSON access, signing, and the vector record itself. */
import {
  canonicalJson,
  digestOf,
  encodeBase64url,
  parsePayload,
  type Signature,
  signBytes,
  signingBytes,
  signPayload,
} from '../src/core/index.js';
import { BASE_TS, key, MINUTE, NOW, SERVICE_ID } from './test-keys.js';
import type { Expect, Json, JsonObject, Vector, VectorGovernance, VectorHead } from './vector.types.js';

// --- small helpers over plain JSON ---------------------------------------------------

export function clone<T extends Json>(v: T): T {
  return structuredClone(v);
}

export function obj(v: Json | undefined): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected an object');
  return v;
}

export function arr(v: Json | undefined): Json[] {
  if (!Array.isArray(v)) throw new Error('expected an array');
  return v;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** When signer i signed: after the payload's ts, never after `now`, always a valid integer. */
export function sigTs(payload: JsonObject, i: number): number {
  const ts = payload.ts;
  const base = typeof ts === 'number' && Number.isSafeInteger(ts) && ts < NOW ? ts : NOW - MINUTE;
  return base + 1_000 * (i + 1);
}

/** Signs a well-formed payload with the core (parsed first, so a typo here fails loudly). */
export function signValid(payload: JsonObject, signers: readonly number[]): Signature[] {
  const parsed = parsePayload(payload, NOW);
  return signers.map((n, i) => signPayload(parsed, key(n), sigTs(payload, i)));
}

/** Signs any JSON payload, even one the parser refuses (negative vectors need valid signatures too). */
export function signRaw(payload: JsonObject, signers: readonly number[]): Signature[] {
  const bytes = signingBytes(payload);
  return signers.map((n, i) => {
    const k = key(n);
    return {
      signer_id: k.signerId,
      alg: 'ed25519',
      sig: encodeBase64url(signBytes(bytes, k)),
      ts: sigTs(payload, i),
    };
  });
}

export function sigJson(s: Signature): JsonObject {
  return { signer_id: s.signer_id, alg: s.alg, sig: s.sig, ts: s.ts };
}

export function withSignatures(payload: JsonObject, sigs: readonly (Signature | JsonObject)[]): JsonObject {
  return { ...clone(payload), signatures: sigs.map((s) => ({ ...s }) as JsonObject) };
}

export function payloadOfJson(d: Json): JsonObject {
  const { signatures: _, ...payload } = obj(d);
  return payload;
}

export function headOf(v: Vector): VectorHead {
  const p = payloadOfJson(v.descriptor);
  return { version: p.version as number, digest: v.digest, kind: p.kind as string };
}

export function governance(
  version: number,
  signers: readonly (number | string)[],
  threshold: number,
): VectorGovernance {
  return {
    version,
    signers: signers.map((s) => (typeof s === 'string' ? s : key(s).signerId)),
    threshold,
  };
}

export interface VectorInput {
  readonly name: string;
  readonly description: string;
  readonly check?: 'genesis' | 'verify';
  readonly descriptor: JsonObject;
  readonly governance: VectorGovernance;
  readonly head: VectorHead | null;
  readonly now?: number;
  readonly expect: Expect;
}

export function vector(v: VectorInput): Vector {
  const payload = payloadOfJson(v.descriptor);
  const bytes = signingBytes(payload);
  return {
    name: v.name,
    description: v.description,
    check: v.check ?? 'verify',
    descriptor: v.descriptor,
    governance: v.governance,
    head: v.head,
    now: v.now ?? NOW,
    jcs: canonicalJson(payload),
    signing_bytes_hex: hex(bytes),
    digest: digestOf(bytes),
    expect: v.expect,
  };
}

// --- payload builders ------------------------------------------------------------------

export function serviceBody(version: number): JsonObject {
  const endpoints: Json[] = [{ addr: '10.0.0.7:443', tls: true, weight: 100 }];
  if (version >= 2) endpoints.push({ addr: '10.0.0.8:443', tls: true, weight: 100 });
  if (version >= 3)
    endpoints.push({ addr: 'https://storage-3.us-east-1.example.net:8443', tls: true, weight: 50 });
  if (version >= 4) obj(endpoints[0]).weight = 0; // drained
  const body: JsonObject = { name: 'svc-storage', region: 'us-east-1', endpoints };
  if (version >= 5) body.labels = { tier: 'gold', owner: 'storage-team' };
  return body;
}

export function servicePayload(version: number, prev: string | null, extra: JsonObject = {}): JsonObject {
  return {
    id: SERVICE_ID,
    version,
    kind: 'service',
    body: serviceBody(version),
    prev,
    ts: BASE_TS + version * 10 * MINUTE,
    ...extra,
  };
}

export function regionsPayload(version: number, prev: string | null): JsonObject {
  const services: Json[] = [{ id: SERVICE_ID, addr: '10.0.0.7:443', tls: true, weight: 100 }];
  const regions: JsonObject = { 'us-east-1': { services } };
  if (version >= 2) {
    regions['eu-west-1'] = {
      services: [{ id: 'svc-storage@eu-west-1', addr: '10.1.0.7:443', tls: true, weight: 100 }],
    };
  }
  return {
    id: 'regions',
    version,
    kind: 'region_map',
    body: { regions },
    prev,
    ts: BASE_TS + (70 + version) * MINUTE,
  };
}

export function governancePayload(
  version: number,
  prev: string | null,
  signers: readonly number[],
  threshold: number,
): JsonObject {
  return {
    id: 'governance',
    version,
    kind: 'governance',
    body: { signers: signers.map((n) => key(n).signerId), threshold },
    prev,
    ts: BASE_TS + (version - 1) * 100 * MINUTE,
  };
}
