import { describe, expect, it } from 'vitest';
import { handToken as hand, MACAROON_TEST_KEY as KEY } from '../../test/helpers/macaroon-v1.js';
import { Authenticator, authorize, type Capability, SCOPES, type Scope } from './capability.js';

const NOW = Date.UTC(2026, 10, 22, 10, 0, 0);
const auth = new Authenticator(KEY, () => NOW);
const bearer = (token: string): string => `Bearer ${token}`;
const accept = (token: string, a: Authenticator = auth): Capability => a.authenticate(bearer(token));
const capOf = (...caveats: string[]): Capability => accept(hand({ caveats }));

describe('authorize', () => {
  const scopeCases: [string, Scope, boolean][] = [];
  for (const [caveat, allowed] of [
    ['scope = registry:read', ['registry:read']],
    ['scope = registry:propose', ['registry:propose']],
    ['scope = registry:apply', ['registry:apply']],
    ['scope = registry:propose registry:apply', ['registry:propose', 'registry:apply']],
    ['scope = registry:read registry:propose registry:apply', SCOPES],
  ] as const) {
    for (const scope of SCOPES)
      scopeCases.push([caveat, scope, (allowed as readonly Scope[]).includes(scope)]);
  }

  it.each(scopeCases)('%s, request %s: allowed=%s', (caveat, scope, allowed) => {
    const run = () => authorize(capOf(caveat), { scope });
    if (allowed) expect(run).not.toThrow();
    else expect(run).toThrowRegistryError('Forbidden');
  });

  it('throws Forbidden for a sound token without a scope caveat', () => {
    const cap = capOf('id-prefix = svc-', 'kind = service');
    for (const scope of SCOPES)
      expect(() => authorize(cap, { scope })).toThrowRegistryError('Forbidden', 'no scope');
  });

  it('intersects several scope caveats', () => {
    const cap = capOf('scope = registry:propose registry:apply', 'scope = registry:apply registry:read');
    expect(() => authorize(cap, { scope: 'registry:apply' })).not.toThrow();
    expect(() => authorize(cap, { scope: 'registry:propose' })).toThrowRegistryError('Forbidden');
    expect(() => authorize(cap, { scope: 'registry:read' })).toThrowRegistryError('Forbidden');
  });

  describe('id-prefix', () => {
    const cap = capOf('scope = registry:propose', 'id-prefix = svc- node-');
    it.each([
      ['svc-payments', true],
      ['node-eu-1', true],
      ['svc-', true],
      ['svc', false],
      ['regions', false],
      ['xsvc-a', false],
    ])('descriptor %s: allowed=%s', (descriptorId, allowed) => {
      const run = () => authorize(cap, { scope: 'registry:propose', descriptorId });
      if (allowed) expect(run).not.toThrow();
      else expect(run).toThrowRegistryError('Forbidden', 'id-prefix');
    });
    it('intersects several id-prefix caveats', () => {
      const narrow = capOf('scope = registry:apply', 'id-prefix = svc-', 'id-prefix = svc-eu- node-');
      expect(() => authorize(narrow, { scope: 'registry:apply', descriptorId: 'svc-eu-1' })).not.toThrow();
      expect(() =>
        authorize(narrow, { scope: 'registry:apply', descriptorId: 'svc-us-1' }),
      ).toThrowRegistryError('Forbidden');
      expect(() =>
        authorize(narrow, { scope: 'registry:apply', descriptorId: 'node-1' }),
      ).toThrowRegistryError('Forbidden');
    });
    it('does not restrict a request that names no descriptor', () => {
      expect(() => authorize(cap, { scope: 'registry:propose' })).not.toThrow();
    });
  });

  describe('kind', () => {
    const cap = capOf('scope = registry:propose registry:apply', 'kind = service node');
    it.each([
      ['service', true],
      ['node', true],
      ['region-map', false],
      ['serv', false],
    ])('kind %s: allowed=%s', (kind, allowed) => {
      const run = () => authorize(cap, { scope: 'registry:apply', descriptorId: 'x', kind });
      if (allowed) expect(run).not.toThrow();
      else expect(run).toThrowRegistryError('Forbidden', 'kind');
    });
    it('intersects several kind caveats', () => {
      const narrow = capOf('scope = registry:propose', 'kind = service node', 'kind = node region-map');
      expect(() => authorize(narrow, { scope: 'registry:propose', kind: 'node' })).not.toThrow();
      expect(() => authorize(narrow, { scope: 'registry:propose', kind: 'service' })).toThrowRegistryError(
        'Forbidden',
      );
      expect(() => authorize(narrow, { scope: 'registry:propose', kind: 'region-map' })).toThrowRegistryError(
        'Forbidden',
      );
    });
  });
});
