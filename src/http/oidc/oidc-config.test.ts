import { describe, expect, it } from 'vitest';
import { claimMatches, firstMatchingRule, parseOidcIssuers } from './oidc-config.js';

const issuer = (extra: Record<string, unknown> = {}) => ({
  issuer: 'https://token.actions.example',
  audience: 'registry',
  jwks_uri: 'https://token.actions.example/.well-known/jwks',
  rules: [
    {
      match: { repository: 'org/topology' },
      grant: { scope: ['registry:propose'], 'id-prefix': 'svc- db-', kind: ['service'] },
    },
  ],
  ...extra,
});

describe('parseOidcIssuers', () => {
  it('parses issuers with a URL or a file, and grants as macaroon caveats', () => {
    const [a, b] = parseOidcIssuers([
      issuer(),
      issuer({ issuer: 'https://sso', jwks_uri: undefined, jwks_file: 'k.json' }),
    ]);
    expect(a?.jwks).toEqual({ uri: 'https://token.actions.example/.well-known/jwks' });
    expect(a?.rules[0]?.grant).toEqual({
      scope: ['registry:propose'],
      idPrefix: ['svc-', 'db-'],
      kind: ['service'],
    });
    expect(b?.jwks).toEqual({ file: 'k.json' });
  });

  it('allows http:// JWKS only on loopback', () => {
    expect(() => parseOidcIssuers([issuer({ jwks_uri: 'http://127.0.0.1:8080/jwks' })])).not.toThrow();
    expect(() => parseOidcIssuers([issuer({ jwks_uri: 'http://idp.example/jwks' })])).toThrowRegistryError(
      'BadRequest',
      'https://',
    );
  });

  it.each<[string, unknown, string]>([
    ['not an array', {}, 'JSON array'],
    ['an empty array', [], 'JSON array'],
    ['an unknown field', [issuer({ extra: 1 })], 'unknown field'],
    ['no audience', [issuer({ audience: undefined })], 'audience is required'],
    ['both key sources', [issuer({ jwks_file: 'k.json' })], 'exactly one'],
    ['no key source', [issuer({ jwks_uri: undefined })], 'exactly one'],
    ['a duplicate issuer', [issuer(), issuer()], 'listed twice'],
    ['a bad URL', [issuer({ jwks_uri: 'not a url' })], 'not a URL'],
    ['no rules', [issuer({ rules: [] })], 'rules'],
    ['an empty match', [issuer({ rules: [{ match: {}, grant: { scope: ['registry:read'] } }] })], 'claims'],
    [
      'a non-string claim',
      [issuer({ rules: [{ match: { a: 1 }, grant: { scope: ['registry:read'] } }] })],
      'non-empty string',
    ],
    [
      'an unknown scope',
      [issuer({ rules: [{ match: { a: 'b' }, grant: { scope: ['registry:admin'] } }] })],
      'one of',
    ],
    ['no scope', [issuer({ rules: [{ match: { a: 'b' }, grant: { scope: [] } }] })], 'non-empty array'],
    [
      'a bad id-prefix',
      [issuer({ rules: [{ match: { a: 'b' }, grant: { scope: ['registry:read'], 'id-prefix': ' x' } }] })],
      'space-separated',
    ],
    [
      'an empty kind list',
      [issuer({ rules: [{ match: { a: 'b' }, grant: { scope: ['registry:read'], kind: [] } }] })],
      'non-empty array',
    ],
    [
      'a kind with a space',
      [issuer({ rules: [{ match: { a: 'b' }, grant: { scope: ['registry:read'], kind: ['a b'] } }] })],
      'no whitespace',
    ],
    [
      'an unknown grant field',
      [issuer({ rules: [{ match: { a: 'b' }, grant: { scope: ['registry:read'], admin: true } }] })],
      'unknown field',
    ],
    ['a rule that is not an object', [issuer({ rules: ['x'] })], 'must be an object'],
  ])('refuses %s with one line naming OIDC_ISSUERS', (_name, raw, message) => {
    expect(() => parseOidcIssuers(raw)).toThrowRegistryError('BadRequest', message);
    expect(() => parseOidcIssuers(raw)).toThrow(/^OIDC_ISSUERS [^\n]+$/);
  });
});

describe('claimMatches / firstMatchingRule', () => {
  it('matches an equal string or an array containing it, nothing else', () => {
    expect(claimMatches('ops', 'ops')).toBe(true);
    expect(claimMatches(['dev', 'ops'], 'ops')).toBe(true);
    expect(claimMatches('ops-admin', 'ops')).toBe(false);
    expect(claimMatches(1, '1')).toBe(false);
    expect(claimMatches(undefined, 'ops')).toBe(false);
  });

  it('takes the first rule whose every claim matches', () => {
    const [cfg] = parseOidcIssuers([
      issuer({
        rules: [
          { match: { repo: 'r', ref: 'main' }, grant: { scope: ['registry:apply'] } },
          { match: { repo: 'r' }, grant: { scope: ['registry:read'] } },
        ],
      }),
    ]);
    const rules = cfg?.rules ?? [];
    expect(firstMatchingRule(rules, { repo: 'r', ref: 'main' })?.grant.scope).toEqual(['registry:apply']);
    expect(firstMatchingRule(rules, { repo: 'r', ref: 'dev' })?.grant.scope).toEqual(['registry:read']);
    expect(firstMatchingRule(rules, { repo: 'x' })).toBeUndefined();
  });
});
