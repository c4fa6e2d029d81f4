import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import * as ed from '@noble/ed25519';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DIGEST_A,
  KEYS,
  key,
  NOW,
  SMALL_ORDER_KEYS_HEX,
  servicePayload,
  signerIdFromHex,
} from '../../test/helpers/core-fixtures.js';
import { flipBit, withSPlusL } from '../../test/helpers/ed25519-edge.js';
import { decodeBase64url, encodeBase64url } from './base64url.js';
import { canonicalJson, digestOf, signingBytes } from './canonical.js';
import { parseDescriptor, parsePayload } from './descriptor.js';
import type { Descriptor, HeadRef, Payload } from './descriptor.types.js';
import { isRegistryError } from './errors.js';
import type { Governance } from './governance.js';
import { signBytes, signingKeyFromSeed, signPayload } from './keys.js';
import type { Signature } from './signature.js';
import { signatureProblem } from './signature.js';
import { encodeSignerId } from './signer-id.js';
import { verifyDescriptor } from './verify-descriptor.js';

// ---------------------------------------------------------------- arbitraries

const text = (max = 16) => fc.string({ unit: 'grapheme', minLength: 1, maxLength: max });
const idArb = fc
  .stringMatching(/^[A-Za-z0-9][A-Za-z0-9._@:-]{0,24}$/)
  .filter((id) => id !== 'regions' && id !== 'governance');
const hostArb = fc.oneof(
  fc.domain(),
  fc.ipV4(),
  fc.ipV6().map((ip) => `[${ip}]`),
);
const addrArb = fc.oneof(
  fc.tuple(hostArb, fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`),
  fc.webUrl({ withQueryParameters: true }).filter((u) => Buffer.byteLength(u) <= 1024),
);
const endpointArb = fc.record({
  addr: addrArb,
  tls: fc.boolean(),
  weight: fc.integer({ min: 0, max: 65535 }),
});
const labelsArb = fc.dictionary(text(), fc.string({ unit: 'grapheme', maxLength: 16 }), { maxKeys: 6 });
const digestArb = fc.stringMatching(/^[0-9a-f]{64}$/);

const headerArb = fc
  .record({
    version: fc.integer({ min: 1, max: 1_000_000 }),
    prev: digestArb,
    ts: fc.integer({ min: 0, max: NOW }),
    deprecated: fc.option(fc.boolean(), { nil: undefined }),
  })
  .map(({ version, prev, ts, deprecated }) => ({
    version,
    prev: version === 1 ? null : prev,
    ts,
    ...(deprecated === undefined ? {} : { deprecated }),
  }));

const serviceArb = fc.record({
  id: idArb,
  kind: fc.constant('service' as const),
  body: fc.record(
    {
      name: text(),
      region: text(),
      endpoints: fc.array(endpointArb, { minLength: 1, maxLength: 4 }),
      labels: labelsArb,
    },
    { requiredKeys: ['name', 'region', 'endpoints'] },
  ),
});
const nodeArb = fc.record({
  id: idArb,
  kind: fc.constant('node' as const),
  body: fc.record(
    {
      region: text(),
      addr: addrArb,
      pubkey: text(64),
      capabilities: fc.array(text(), { maxLength: 4 }),
      labels: labelsArb,
    },
    { requiredKeys: ['region', 'addr'] },
  ),
});
const regionMapArb = fc.record({
  id: fc.constant('regions'),
  kind: fc.constant('region_map' as const),
  body: fc.record({
    regions: fc.dictionary(
      idArb,
      fc.record({
        services: fc.array(
          fc.record({
            id: idArb,
            addr: addrArb,
            tls: fc.boolean(),
            weight: fc.integer({ min: 0, max: 65535 }),
          }),
          { maxLength: 3 },
        ),
      }),
      { maxKeys: 3 },
    ),
  }),
});
const governanceArb = fc
  .subarray([...KEYS], { minLength: 1 })
  .chain((keys) =>
    fc.record({ keys: fc.constant(keys), threshold: fc.integer({ min: 1, max: keys.length }) }),
  )
  .map(({ keys, threshold }) => ({
    id: 'governance',
    kind: 'governance' as const,
    body: { signers: keys.map((k) => k.signerId), threshold },
  }));

const payloadArb: fc.Arbitrary<Payload> = fc
  .tuple(fc.oneof(serviceArb, nodeArb, regionMapArb, governanceArb), headerArb)
  .map(([core, header]) => {
    const p = { ...core, ...header };
    // SPEC §2: governance cannot be deprecated.
    if (p.kind === 'governance' && 'deprecated' in p) p.deprecated = false;
    return p as Payload;
  });

// ---------------------------------------------------------------- helpers

/** A small deterministic PRNG (mulberry32), so a shrunk counterexample replays exactly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The same JSON value with every object's keys in a random order (arrays keep theirs). */
function shuffleKeys(value: unknown, rand: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, rand));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [entries[i], entries[j]] = [entries[j] as [string, unknown], entries[i] as [string, unknown]];
  }
  // fromEntries defines own properties, so a "__proto__" label stays a label.
  return Object.fromEntries(entries.map(([k, v]) => [k, shuffleKeys(v, rand)]));
}

const indentArb = fc.oneof(
  fc.integer({ min: 0, max: 10 }),
  fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r'), maxLength: 10 }),
);
const padArb = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r'), maxLength: 4 });

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (isRegistryError(err)) return err.code;
    throw err;
  }
}

function nobleVerify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  return ed.verify(sig, msg, pub, { zip215: false });
}

function coreVerify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  const s: Signature = { signer_id: encodeSignerId(pub), alg: 'ed25519', sig: encodeBase64url(sig), ts: 0 };
  return signatureProblem(s, msg) === null;
}

const sigBytes = (s: Signature): Uint8Array => decodeBase64url(s.sig, 64) ?? new Uint8Array(64);

// ---------------------------------------------------------------- properties

describe('canonical bytes (property)', () => {
  describe('when a payload is re-serialized with shuffled keys and other whitespace', () => {
    it('parses to the same signing bytes and digest', () => {
      fc.assert(
        fc.property(
          payloadArb,
          fc.integer(),
          indentArb,
          padArb,
          padArb,
          (payload, seed, indent, pre, post) => {
            const reordered = shuffleKeys(payload, prng(seed));
            const textForm = `${pre}${JSON.stringify(reordered, null, indent)}${post}`;
            const parsed = parsePayload(JSON.parse(textForm), NOW);
            expect(signingBytes(parsed)).toEqual(signingBytes(payload));
            expect(digestOf(signingBytes(parsed))).toBe(digestOf(signingBytes(payload)));
          },
        ),
      );
    });
  });

  describe('when any JSON value is shuffled and re-serialized', () => {
    it('keeps its canonical text, which is a fixed point', () => {
      fc.assert(
        fc.property(fc.jsonValue(), fc.integer(), indentArb, (value, seed, indent) => {
          const canonical = canonicalJson(value);
          const again: unknown = JSON.parse(JSON.stringify(shuffleKeys(value, prng(seed)), null, indent));
          expect(canonicalJson(again)).toBe(canonical);
          expect(canonicalJson(JSON.parse(canonical))).toBe(canonical);
        }),
      );
    });
  });

  describe('when two payloads differ', () => {
    it('have different signing bytes', () => {
      fc.assert(
        fc.property(payloadArb, payloadArb, (a, b) => {
          fc.pre(canonicalJson(a) !== canonicalJson(b));
          expect(signingBytes(a)).not.toEqual(signingBytes(b));
        }),
        { numRuns: 50 },
      );
    });
  });
});

describe('single-bit flips (property)', () => {
  const signedArb = fc
    .tuple(payloadArb, fc.integer({ min: 0, max: KEYS.length - 1 }))
    .map(([payload, k]) => ({
      payload,
      signature: signPayload(payload, key(k), NOW),
      bytes: signingBytes(payload),
    }));

  describe('when one bit of the signing bytes is flipped', () => {
    it('makes the signature invalid', () => {
      fc.assert(
        fc.property(signedArb, fc.nat(), ({ signature, bytes }, n) => {
          expect(signatureProblem(signature, bytes)).toBeNull();
          const flipped = flipBit(bytes, n % (bytes.length * 8));
          expect(signatureProblem(signature, flipped)).not.toBeNull();
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('when one bit of the signature is flipped', () => {
    it('makes it invalid, and verifyDescriptor refuses it with BadSignature', () => {
      fc.assert(
        fc.property(signedArb, fc.integer({ min: 0, max: 511 }), ({ payload, signature, bytes }, bit) => {
          const bad: Signature = { ...signature, sig: encodeBase64url(flipBit(sigBytes(signature), bit)) };
          expect(signatureProblem(bad, bytes)).not.toBeNull();
          const gov: Governance = { signers: new Set([bad.signer_id]), threshold: 1, version: 1 };
          const d = { ...payload, signatures: [bad] } as Descriptor;
          const head: HeadRef | undefined =
            payload.version === 1
              ? undefined
              : { version: payload.version - 1, digest: payload.prev ?? '', kind: payload.kind };
          expect(codeOf(() => verifyDescriptor(d, gov, head))).toBe('BadSignature');
        }),
        { numRuns: 200 },
      );
    });
  });
});

describe('quorum against a naive model (property)', () => {
  const PAYLOAD = servicePayload({ version: 2, prev: DIGEST_A });
  const HEAD: HeadRef = { version: 1, digest: DIGEST_A, kind: 'service' };
  const GOOD = KEYS.map((k) => signPayload(PAYLOAD, k, NOW));
  // Each key's signature over another payload: well-formed, but not valid here.
  const WRONG = KEYS.map((k) => signPayload({ ...PAYLOAD, ts: PAYLOAD.ts - 1 } as Payload, k, NOW));
  const index = fc.integer({ min: 0, max: KEYS.length - 1 });

  describe('when random subsets sign under a random governance', () => {
    it('counts as the model does, or fails with the model code', () => {
      const seen = new Map<string, number>();
      fc.assert(
        fc.property(
          fc.uniqueArray(index, { minLength: 1, maxLength: KEYS.length }).chain((members) =>
            fc.tuple(
              fc.constant(members),
              // Half the time only members sign (distinct, in random order), so quorum is often met.
              fc.oneof(fc.shuffledSubarray(members), fc.array(index, { maxLength: 10 })),
            ),
          ),
          fc.nat(),
          fc.option(fc.nat(), { nil: undefined, freq: 3 }),
          ([members, signers], t, corrupt) => {
            const threshold = 1 + (t % members.length);
            const gov: Governance = {
              signers: new Set(members.map((i) => key(i).signerId)),
              threshold,
              version: 1,
            };
            const corruptAt = corrupt === undefined || signers.length === 0 ? -1 : corrupt % signers.length;
            const sigs = signers.map((i, j) => (j === corruptAt ? WRONG[i] : GOOD[i]));
            const raw = JSON.parse(JSON.stringify({ ...PAYLOAD, signatures: sigs }));

            // The model: parse, then every signature must be allow-listed and valid, then count.
            const distinct = new Set(signers);
            let expected: string;
            let count = 0;
            if (distinct.size !== signers.length) expected = 'BadRequest';
            else if (signers.some((i) => !members.includes(i))) expected = 'BadSignature';
            else if (corruptAt >= 0) expected = 'BadSignature';
            else {
              count = distinct.size;
              expected = count >= threshold ? 'ok' : 'NoQuorum';
            }

            let tally: number | undefined;
            const actual = codeOf(() => {
              tally = verifyDescriptor(parseDescriptor(raw, NOW), gov, HEAD).tally.signatures;
            });
            expect(actual).toBe(expected);
            if (expected === 'ok') expect(tally).toBe(count);
            seen.set(actual, (seen.get(actual) ?? 0) + 1);
          },
        ),
        { numRuns: 300 },
      );
      // The generators reach every outcome, so the property is not vacuously true.
      expect([...seen.keys()].sort()).toEqual(['BadRequest', 'BadSignature', 'NoQuorum', 'ok']);
    });
  });

  describe('when governance rotates to a random new set', () => {
    it('needs both thresholds over the union allow-list, as the model does', () => {
      const seen = new Set<string>();
      fc.assert(
        fc.property(
          fc
            .tuple(
              fc.uniqueArray(index, { minLength: 1, maxLength: KEYS.length }),
              fc.uniqueArray(index, { minLength: 1, maxLength: KEYS.length }),
            )
            .chain(([current, next]) =>
              fc.tuple(
                fc.constant(current),
                fc.constant(next),
                // Mostly signers from the union (so both quorums are often met), sometimes anyone.
                fc.oneof(
                  { arbitrary: fc.shuffledSubarray([...new Set([...current, ...next])]), weight: 3 },
                  { arbitrary: fc.uniqueArray(index, { maxLength: KEYS.length }), weight: 1 },
                ),
              ),
            ),
          fc.nat(),
          fc.nat(),
          ([current, next, signers], t1, t2) => {
            const currentThreshold = 1 + (t1 % current.length);
            const nextThreshold = 1 + (t2 % next.length);
            const gov: Governance = {
              signers: new Set(current.map((i) => key(i).signerId)),
              threshold: currentThreshold,
              version: 1,
            };
            const rotation = {
              id: 'governance',
              version: 2,
              kind: 'governance',
              body: { signers: next.map((i) => key(i).signerId), threshold: nextThreshold },
              prev: DIGEST_A,
              ts: NOW,
            } as Payload;
            const d = {
              ...rotation,
              signatures: signers.map((i) => signPayload(rotation, key(i), NOW)),
            } as Descriptor;

            const inCurrent = signers.filter((i) => current.includes(i)).length;
            const inNext = signers.filter((i) => next.includes(i)).length;
            const expected = signers.some((i) => !current.includes(i) && !next.includes(i))
              ? 'BadSignature'
              : inCurrent >= currentThreshold && inNext >= nextThreshold
                ? 'ok'
                : 'NoQuorum';
            const head: HeadRef = { version: 1, digest: DIGEST_A, kind: 'governance' };
            expect(codeOf(() => verifyDescriptor(parseDescriptor(d, NOW), gov, head))).toBe(expected);
            seen.add(expected);
          },
        ),
        { numRuns: 150 },
      );
      expect([...seen].sort()).toEqual(['BadSignature', 'NoQuorum', 'ok']);
    });
  });
});

describe('node:crypto and @noble/ed25519 (zip215: false) agree (property)', () => {
  const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
  const msgArb = fc.uint8Array({ maxLength: 256 });

  describe('when the signature is valid', () => {
    it('both accept it', () => {
      fc.assert(
        fc.property(seedArb, msgArb, (seed, msg) => {
          const k = signingKeyFromSeed(seed);
          const sig = signBytes(msg, k);
          expect(coreVerify(sig, msg, k.publicKey)).toBe(true);
          expect(nobleVerify(sig, msg, k.publicKey)).toBe(true);
        }),
      );
    });
  });

  describe('when the signature is random bytes, or a valid one with a bit flipped', () => {
    it('both give the same answer (reject)', () => {
      fc.assert(
        fc.property(
          seedArb,
          msgArb,
          fc.uint8Array({ minLength: 64, maxLength: 64 }),
          fc.integer({ min: 0, max: 511 }),
          (seed, msg, random, bit) => {
            const k = signingKeyFromSeed(seed);
            const flipped = flipBit(signBytes(msg, k), bit);
            for (const sig of [random, flipped]) {
              const core = coreVerify(sig, msg, k.publicKey);
              expect(core).toBe(nobleVerify(sig, msg, k.publicKey));
              expect(core).toBe(false);
            }
          },
        ),
      );
    });
  });

  describe('when the key is random bytes (often not a point)', () => {
    it('both give the same answer', () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          msgArb,
          fc.uint8Array({ minLength: 64, maxLength: 64 }),
          (pub, msg, sig) => {
            expect(coreVerify(sig, msg, pub)).toBe(nobleVerify(sig, msg, pub));
          },
        ),
      );
    });
  });

  describe('when S is replaced by S + ℓ', () => {
    it('both reject what is equal modulo ℓ to a valid signature', () => {
      fc.assert(
        fc.property(seedArb, msgArb, (seed, msg) => {
          const k = signingKeyFromSeed(seed);
          const sig = signBytes(msg, k);
          const bumped = withSPlusL(sig);
          // S < ℓ < 2^253, so S + ℓ < 2^254 always fits in 32 bytes.
          expect(coreVerify(bumped, msg, k.publicKey)).toBe(false);
          expect(nobleVerify(bumped, msg, k.publicKey)).toBe(false);
        }),
      );
    });
  });

  describe('when the key has small order', () => {
    it('the core refuses it whatever the signature (node:crypto alone would accept the trivial one)', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...SMALL_ORDER_KEYS_HEX),
          msgArb,
          fc.oneof(
            fc.constant(Uint8Array.from({ length: 64 }, (_, i) => (i === 0 ? 1 : 0))),
            fc.uint8Array({ minLength: 64, maxLength: 64 }),
          ),
          (hex, msg, sig) => {
            const id = signerIdFromHex(hex);
            const s: Signature = { signer_id: id, alg: 'ed25519', sig: encodeBase64url(sig), ts: 0 };
            expect(signatureProblem(s, msg)).toMatch(/small-order/);
            expect(nobleVerify(sig, msg, Buffer.from(hex, 'hex'))).toBe(false);
          },
        ),
      );
    });

    it('is a real gap without the check: raw verification accepts the trivial signature under the identity key', () => {
      // Documents why keyProblem exists (SPEC §2 "Measured"); if a future OpenSSL refuses it,
      // the core still does, which the property above asserts.
      const identity = Buffer.from(SMALL_ORDER_KEYS_HEX[0] ?? '', 'hex');
      const trivial = Uint8Array.from({ length: 64 }, (_, i) => (i === 0 ? 1 : 0));
      const keyObject = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: identity.toString('base64url') },
        format: 'jwk',
      });
      const rawAccepts = nodeVerify(null, Buffer.from('anything'), keyObject, trivial);
      const zip215Accepts = ed.verify(trivial, Buffer.from('anything'), identity);
      expect(rawAccepts || zip215Accepts).toBe(true);
      expect(nobleVerify(trivial, Buffer.from('anything'), identity)).toBe(false);
    });
  });
});
