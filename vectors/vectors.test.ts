import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  assertGenesis,
  digestOf,
  type ErrorCode,
  type Governance,
  governanceOf,
  type HeadRef,
  isRegistryError,
  type Kind,
  parseDescriptor,
  payloadOf,
  type SignerId,
  signingBytes,
  verifyDescriptor,
} from '../src/core/index.js';
import { generateVectors } from './generate.js';
import { TEST_ONLY_COMMENT } from './test-keys.js';
import type { Vector, VectorFile } from './vector.types.js';

const DIR = fileURLToPath(new URL('.', import.meta.url));
const generated = generateVectors();

function load(name: string): VectorFile {
  return JSON.parse(readFileSync(`${DIR}${name}`, 'utf8')) as VectorFile;
}

const chain = load('chain.json').vectors;
const valid = load('valid.json').vectors;
const invalid = load('invalid.json').vectors;

function vectorGovernance(v: Vector): Governance {
  return {
    signers: new Set(v.governance.signers as readonly SignerId[]),
    threshold: v.governance.threshold,
    version: v.governance.version,
  };
}

function headOf(v: Vector): HeadRef | undefined {
  if (v.head === null) return undefined;
  return { version: v.head.version, digest: v.head.digest, kind: v.head.kind as Kind };
}

/** The whole check a reader runs (README "How to check an implementation"). Returns the digest. */
function check(v: Vector): string {
  const d = parseDescriptor(v.descriptor, v.now);
  if (v.check === 'genesis') {
    assertGenesis(payloadOf(d), d.signatures, {
      signers: v.governance.signers as readonly SignerId[],
      threshold: v.governance.threshold,
    });
    return digestOf(signingBytes(payloadOf(d)));
  }
  const verified = verifyDescriptor(d, vectorGovernance(v), headOf(v));
  expect(Buffer.from(verified.bytes).toString('hex')).toBe(v.signing_bytes_hex);
  return verified.digest;
}

function thrownCode(f: () => unknown): ErrorCode | 'no error' | 'not a RegistryError' {
  try {
    f();
  } catch (err) {
    return isRegistryError(err) ? err.code : 'not a RegistryError';
  }
  return 'no error';
}

function payloadJson(v: Vector): unknown {
  const { signatures: _, ...payload } = v.descriptor as Record<string, unknown>;
  return payload;
}

function payloadField(v: Vector, field: 'id' | 'version' | 'prev'): unknown {
  return (payloadJson(v) as Record<string, unknown>)[field];
}

describe('vectors', () => {
  describe('generateVectors', () => {
    it('reproduces every committed file byte for byte', () => {
      for (const [name, text] of Object.entries(generated)) {
        expect(readFileSync(`${DIR}${name}`, 'utf8'), name).toBe(text);
      }
    });

    it('is the only source of the JSON files in vectors/', () => {
      const committed = readdirSync(DIR).filter((f) => f.endsWith('.json'));
      expect(committed.sort()).toEqual(Object.keys(generated).sort());
    });

    it('marks every file TEST ONLY', () => {
      for (const name of Object.keys(generated)) {
        expect((load(name) as { _comment?: unknown })._comment).toBe(TEST_ONLY_COMMENT);
      }
    });

    it('has at least 20 negative vectors, all with distinct names', () => {
      expect(invalid.length).toBeGreaterThanOrEqual(20);
      const names = [...chain, ...valid, ...invalid].map((v) => v.name);
      expect(new Set(names).size).toBe(names.length);
    });
  });

  describe('every vector', () => {
    it.each([...chain, ...valid, ...invalid].map((v) => [v.name, v] as const))(
      '%s: signing bytes, JCS and digest match the payload',
      (_, v) => {
        const bytes = signingBytes(payloadJson(v));
        expect(Buffer.from(bytes).toString('hex')).toBe(v.signing_bytes_hex);
        expect(Buffer.from(bytes).toString('utf8')).toBe(`ron-registry/descriptor/v1\n${v.jcs}`);
        expect(digestOf(bytes)).toBe(v.digest);
      },
    );
  });

  describe('valid vectors', () => {
    it.each([...chain, ...valid].map((v) => [v.name, v] as const))('%s verifies', (_, v) => {
      expect(v.expect).toBe('ok');
      expect(check(v)).toBe(v.digest);
    });
  });

  describe('invalid vectors', () => {
    it.each(invalid.map((v) => [v.name, v] as const))('%s fails with its expected code', (_, v) => {
      if (v.expect === 'ok') throw new Error(`${v.name} is in invalid.json but expects ok`);
      expect(thrownCode(() => check(v))).toBe(v.expect.error);
    });
  });

  describe('the chain', () => {
    it('links each version of an id to the digest of the one before, and heads say so', () => {
      const last = new Map<string, Vector>();
      for (const v of chain) {
        const id = payloadField(v, 'id') as string;
        const before = last.get(id);
        if (before === undefined) {
          expect(payloadField(v, 'version')).toBe(1);
          expect(payloadField(v, 'prev')).toBeNull();
          expect(v.head).toBeNull();
        } else {
          expect(payloadField(v, 'version')).toBe((payloadField(before, 'version') as number) + 1);
          expect(payloadField(v, 'prev')).toBe(before.digest);
          expect(v.head?.digest).toBe(before.digest);
          expect(v.head?.version).toBe(payloadField(before, 'version'));
        }
        last.set(id, v);
      }
    });

    it('has the service at v1..v6 with v6 deprecated, and regions at v1..v2', () => {
      const versions = (id: string): unknown[] =>
        chain.filter((v) => payloadField(v, 'id') === id).map((v) => payloadField(v, 'version'));
      expect(versions('svc-storage@us-east-1')).toEqual([1, 2, 3, 4, 5, 6]);
      expect(versions('regions')).toEqual([1, 2]);
      const v6 = chain.find((v) => v.name === 'service-v6-deprecated');
      expect((v6?.descriptor as { deprecated?: unknown } | undefined)?.deprecated).toBe(true);
    });

    it('checks every descriptor under the governance in force at its position', () => {
      let gov: Governance | undefined;
      for (const v of chain) {
        const d = parseDescriptor(v.descriptor, v.now);
        if (d.kind === 'governance' && v.check === 'genesis') {
          gov = governanceOf(d);
          continue;
        }
        if (gov === undefined) throw new Error('genesis must come first');
        expect([...gov.signers]).toEqual(v.governance.signers);
        expect(gov.threshold).toBe(v.governance.threshold);
        gov = verifyDescriptor(d, gov, headOf(v)).governance;
      }
      expect(gov?.version).toBe(2);
    });
  });
});
