import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { descriptorSubject, idOfSubject, idToken } from './subject.js';

/** SPEC §2 ids: `^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$`. */
const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@:-'.split('');
const specId = fc
  .tuple(
    fc.constantFrom(...ID_CHARS.slice(0, 62)),
    fc.array(fc.constantFrom(...ID_CHARS), { maxLength: 127 }),
  )
  .map(([first, rest]) => first + rest.join(''));

describe('descriptor subjects', () => {
  it('round-trip every SPEC id through one subject token with no subject metacharacter', () => {
    fc.assert(
      fc.property(specId, (id) => {
        const subject = descriptorSubject('registry', id);
        const token = subject.slice('registry.d.'.length);
        expect(token).toMatch(/^[A-Za-z0-9_%-]+$/);
        expect(idOfSubject('registry', subject)).toBe(id);
      }),
    );
  });

  it('give distinct ids distinct subjects (a per-subject CAS is a per-id CAS)', () => {
    fc.assert(
      fc.property(specId, specId, (a, b) => {
        fc.pre(a !== b);
        expect(descriptorSubject('r', a)).not.toBe(descriptorSubject('r', b));
      }),
    );
  });

  it('escape the dot readably and any other character as UTF-8 %XX', () => {
    expect(idToken('svc-web.eu-west-1')).toBe('svc-web%2Eeu-west-1');
    expect(idToken('svc-storage@us-east-1')).toBe('svc-storage%40us-east-1');
    expect(idToken('node:7')).toBe('node%3A7');
    expect(idToken('a b*>é')).toBe('a%20b%2A%3E%C3%A9');
    expect(idOfSubject('r', `r.d.${idToken('a b*>é')}`)).toBe('a b*>é');
  });

  it('name no id for another stream, a nested subject or a malformed escape', () => {
    expect(idOfSubject('registry', 'other.d.svc')).toBeUndefined();
    expect(idOfSubject('registry', 'registry.d.')).toBeUndefined();
    expect(idOfSubject('registry', 'registry.d.a.b')).toBeUndefined();
    expect(idOfSubject('registry', 'registry.d.%E0%A4%A')).toBeUndefined();
  });
});
