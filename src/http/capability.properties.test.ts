import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handSign, MACAROON_TEST_KEY as KEY } from '../../test/helpers/macaroon-v1.js';
import { isRegistryError } from '../core/errors.js';
import { Authenticator, type Capability, mintToken, SCOPES, type Scope } from './capability.js';

const NOW = Date.UTC(2026, 10, 22, 10, 0, 0);
const auth = new Authenticator(KEY, () => NOW);
const bearer = (token: string): string => `Bearer ${token}`;
const accept = (token: string, a: Authenticator = auth): Capability => a.authenticate(bearer(token));
const reject = (token: string, a: Authenticator = auth) => expect(() => a.authenticate(bearer(token)));
const signatureOf = (token: string): Buffer => Buffer.from(token, 'base64url').subarray(-33, -1);

describe('properties', () => {
  const scopesArb = fc.subarray([...SCOPES], { minLength: 1 });
  const mintArb = fc.record({
    identifier: fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
      .filter((s) => /^\P{Cc}+$/u.test(s)),
    scopes: scopesArb,
    ttlMs: fc.integer({ min: 1000, max: 10 ** 10 }),
    idPrefix: fc.option(fc.stringMatching(/^[a-z0-9-]{1,8}( [a-z0-9-]{1,8}){0,2}$/), { nil: undefined }),
  });
  interface MintCase {
    readonly identifier: string;
    readonly scopes: Scope[];
    readonly ttlMs: number;
    readonly idPrefix: string | undefined;
  }
  const mint = (o: MintCase) =>
    mintToken(KEY, {
      identifier: o.identifier,
      scopes: o.scopes,
      ttlMs: o.ttlMs,
      now: NOW,
      ...(o.idPrefix === undefined ? {} : { idPrefix: o.idPrefix }),
    });
  // libmacaroons v1 does not sign the location ("0016location registry\n": bytes 13..20), so
  // SPEC §7 keeps it informational; a change confined to it is the only one that may pass.
  const LOCATION_VALUE = { from: 13, to: 21 } as const;
  const onlyLocationDiffers = (a: Buffer, b: Buffer): boolean =>
    a.length === b.length &&
    a.every((x, i) => x === b[i] || (i >= LOCATION_VALUE.from && i < LOCATION_VALUE.to));

  it('a minted token is accepted and carries its identifier and scopes', () => {
    fc.assert(
      fc.property(mintArb, (o) => {
        const cap = accept(mint(o));
        expect(cap.identifier).toBe(o.identifier);
        expect(cap.scopes).toEqual([o.scopes]);
      }),
    );
  });

  it('any single-character change of a valid token is Unauthorized, or the same token once normalised', () => {
    fc.assert(
      fc.property(mintArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (o, at, code) => {
        const token = mint(o);
        const i = at % token.length;
        const changed = token.slice(0, i) + String.fromCharCode(code) + token.slice(i + 1);
        fc.pre(changed !== token);
        let cap: Capability;
        try {
          cap = accept(changed);
        } catch (err) {
          expect(isRegistryError(err, 'Unauthorized')).toBe(true);
          return;
        }
        // Accepted: the same bytes (e.g. `-` for `+`), or a different unsigned location only.
        expect(onlyLocationDiffers(Buffer.from(changed, 'base64'), Buffer.from(token, 'base64url'))).toBe(
          true,
        );
        expect(cap).toEqual(accept(token));
      }),
      { numRuns: 3000 },
    );
  });

  it("any single-bit flip of a valid token's bytes outside the unsigned location is Unauthorized", () => {
    fc.assert(
      fc.property(mintArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (o, at, bit) => {
        const bytes = Buffer.from(mint(o), 'base64url');
        const i = at % bytes.length;
        fc.pre(i < LOCATION_VALUE.from || i >= LOCATION_VALUE.to);
        bytes[i] = (bytes[i] ?? 0) ^ (1 << bit);
        reject(bytes.toString('base64url')).toThrowRegistryError('Unauthorized');
      }),
      { numRuns: 2000 },
    );
  });

  it('mintToken and the hand computation agree on every signature', () => {
    fc.assert(
      fc.property(mintArb, (o) => {
        const caveats = [`scope = ${o.scopes.join(' ')}`];
        if (o.idPrefix !== undefined) caveats.push(`id-prefix = ${o.idPrefix}`);
        caveats.push(
          `time < ${new Date(Math.floor((NOW + o.ttlMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z')}`,
        );
        expect(signatureOf(mint(o))).toEqual(handSign({ identifier: o.identifier, caveats }).signature);
      }),
    );
  });
});
