/**
 * What every invalid vector builder shares. Each invalid vector has ONE defect: unless the
 * defect is about them, its signatures are valid and meet the threshold, so the refusal can
 * only come from the check under test. Most vectors are an alternative version 3 of the
 * service, checked against head = service v2 under the genesis governance.
 */
import type { ErrorCode, Signature } from '../src/core/index.js';
import { arr, clone, headOf, obj, payloadOfJson, signRaw, vector, withSignatures } from './build.js';
import type { Chain } from './chain.js';
import type { JsonObject, Vector, VectorGovernance, VectorHead } from './vector.types.js';

export interface Bad {
  readonly name: string;
  readonly description: string;
  readonly error: ErrorCode;
  readonly payload?: JsonObject;
  readonly signers?: readonly number[];
  readonly signatures?: readonly (Signature | JsonObject)[];
  readonly governance?: VectorGovernance;
  readonly head?: VectorHead | null;
}

export interface InvalidKit {
  readonly out: Vector[];
  readonly bad: (b: Bad) => void;
  readonly badRequest: (
    name: string,
    description: string,
    payload: JsonObject,
    head?: VectorHead | null,
  ) => void;
  /** A changed copy of `from` (default: service v3). */
  readonly mutate: (f: (p: JsonObject) => void, from?: JsonObject) => JsonObject;
  readonly body: (p: JsonObject) => JsonObject;
  readonly endpoint0: (p: JsonObject) => JsonObject;
  /** Service v1 (a new id, head null) with some fields replaced. */
  readonly fresh: (extra: JsonObject) => JsonObject;
  readonly base: JsonObject;
  readonly s1: Vector;
  readonly s2: Vector;
  readonly head2: VectorHead;
  readonly head3: VectorHead;
  /** Keys 1 and 2 over `base`: together they meet the genesis threshold. */
  readonly valid12: readonly Signature[];
  readonly v1: Signature;
  readonly v2: Signature;
  /** Key 3 over `base`. */
  readonly v3: Signature;
}

export function invalidKit(chain: Chain): InvalidKit {
  const gov = chain.genesisGov;
  const out: Vector[] = [];
  const [s1, s2, s3] = chain.services;
  if (s1 === undefined || s2 === undefined || s3 === undefined) throw new Error('short service chain');
  // Most vectors are an alternative version 3 of the service: head = service v2.
  const head2 = headOf(s2);
  const head3 = headOf(s3);
  const base = payloadOfJson(s3.descriptor);

  const bad = (b: Bad): void => {
    const payload = b.payload ?? clone(base);
    const sigs = b.signatures ?? signRaw(payload, b.signers ?? [1, 2]);
    out.push(
      vector({
        name: b.name,
        description: b.description,
        descriptor: withSignatures(payload, sigs),
        governance: b.governance ?? gov,
        head: b.head === undefined ? head2 : b.head,
        expect: { error: b.error },
      }),
    );
  };
  const mutate = (f: (p: JsonObject) => void, from: JsonObject = base): JsonObject => {
    const p = clone(from);
    f(p);
    return p;
  };
  const body = (p: JsonObject): JsonObject => obj(p.body);
  const endpoint0 = (p: JsonObject): JsonObject => obj(arr(body(p).endpoints)[0]);
  const fresh = (extra: JsonObject): JsonObject => ({ ...payloadOfJson(s1.descriptor), ...extra });

  // Signatures: keys 1 and 2 always meet the threshold, so the only reason to refuse is the bad one
  // (SPEC §3: any one invalid signature rejects the whole request, it is not just skipped).
  const valid12 = signRaw(base, [1, 2]);
  const [v1, v2] = valid12;
  if (v1 === undefined || v2 === undefined) throw new Error('unreachable');
  const [v3] = signRaw(base, [3]);
  if (v3 === undefined) throw new Error('unreachable');
  const badRequest = (
    name: string,
    description: string,
    payload: JsonObject,
    head: VectorHead | null = head2,
  ): void => bad({ name, description, error: 'BadRequest', payload, head });
  return {
    out,
    bad,
    badRequest,
    mutate,
    body,
    endpoint0,
    fresh,
    base,
    s1,
    s2,
    head2,
    head3,
    valid12,
    v1,
    v2,
    v3,
  };
}
