import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/fixtures.js';
import { loadOidc } from './oidc-load.js';

const dir = tempDir('registry-oidc-load-');
afterAll(() => dir.cleanup());

const write = (name: string, value: unknown) => {
  const path = join(dir.path, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
};
const issuers = (jwks: Record<string, string>) => [
  {
    issuer: 'https://sso',
    audience: 'registry',
    ...jwks,
    rules: [{ match: { g: 'ops' }, grant: { scope: ['registry:read'] } }],
  },
];

describe('loadOidc', () => {
  it('reads a jwks_file relative to the issuers file, and takes a jwks_uri as is', () => {
    write('keys.json', { keys: [] });
    expect(() => loadOidc(write('a.json', issuers({ jwks_file: 'keys.json' })))).not.toThrow();
    expect(() => loadOidc(write('b.json', issuers({ jwks_uri: 'https://sso/jwks' })))).not.toThrow();
  });

  it.each<[string, () => string, string]>([
    ['a missing file', () => join(dir.path, 'missing.json'), 'cannot be read'],
    ['a file that is not JSON', () => write('c.json', '{'), 'is not JSON'],
    ['an invalid issuer list', () => write('d.json', [{}]), 'issuer is required'],
    ['a missing jwks_file', () => write('e.json', issuers({ jwks_file: 'nope.json' })), 'cannot be read'],
    [
      'a jwks_file that is not a JWKS',
      () => {
        write('bad-keys.json', { kty: 'EC' });
        return write('f.json', issuers({ jwks_file: 'bad-keys.json' }));
      },
      'not a JWKS',
    ],
  ])('refuses %s as a configuration error (serve exits 2)', (_name, path, message) => {
    expect(() => loadOidc(path())).toThrowRegistryError('BadRequest', message);
  });
});
