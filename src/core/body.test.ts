import { describe, expect, it } from 'vitest';
import {
  DELETE,
  key,
  SMALL_ORDER_KEYS_HEX,
  signerIdFromHex,
  testKey,
  withPath,
} from '../../test/helpers/core-fixtures.js';
import {
  parseBody,
  parseGovernanceBody,
  parseNodeBody,
  parseRegionMapBody,
  parseServiceBody,
} from './body.js';
import type { Kind } from './descriptor.types.js';

const SERVICE = {
  name: 'svc-storage',
  region: 'us-east-1',
  endpoints: [{ addr: '10.0.0.7:443', tls: true, weight: 100 }],
  labels: { tier: 'gold', empty: '' },
};
const NODE = {
  region: 'eu-west-1',
  addr: 'node-1.internal:7000',
  pubkey: 'opaque',
  capabilities: [],
  labels: {},
};
const REGION_MAP = {
  regions: {
    'us-east-1': { services: [{ id: 'svc-a', addr: '[::1]:443', tls: false, weight: 0 }] },
    'eu-west-1': { services: [] },
  },
};
const SIGNERS = [key(0).signerId, key(1).signerId, key(2).signerId];
const GOVERNANCE = { signers: SIGNERS, threshold: 2 };

const labels = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`]));
const endpoints = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ addr: `h${i}:80`, tls: false, weight: i }));

describe('parseBody', () => {
  describe('when given a valid body for each kind', () => {
    it.each<[Kind, unknown]>([
      ['service', SERVICE],
      ['node', NODE],
      ['region_map', REGION_MAP],
      ['governance', GOVERNANCE],
    ])('accepts a %s body and returns the same object', (kind, body) => {
      expect(parseBody(kind, body)).toBe(body);
    });
  });

  describe('when given the body of another kind', () => {
    it('throws BadRequest', () => {
      expect(() => parseBody('service', NODE)).toThrowRegistryError('BadRequest');
      expect(() => parseBody('governance', SERVICE)).toThrowRegistryError('BadRequest');
    });
  });

  describe('when the kind is not one the type allows', () => {
    it('throws BadRequest', () => {
      expect(() => parseBody('queue' as Kind, {})).toThrowRegistryError('BadRequest', 'unknown kind');
    });
  });
});

describe('parseServiceBody', () => {
  describe('when minimal (no labels)', () => {
    it('accepts it', () => {
      expect(() => parseServiceBody(withPath(SERVICE, ['labels'], DELETE))).not.toThrow();
    });
  });

  describe('when a field is unknown, at any level', () => {
    it.each([
      ['body', ['extra']],
      ['endpoint', ['endpoints', 0, 'extra']],
    ])('throws BadRequest for an unknown field in the %s', (_, path) => {
      expect(() => parseServiceBody(withPath(SERVICE, path, 1))).toThrowRegistryError(
        'BadRequest',
        'unknown field',
      );
    });
  });

  describe('when a field is missing or has the wrong type', () => {
    it.each<[string, (string | number)[], unknown]>([
      ['name missing', ['name'], DELETE],
      ['name a number', ['name'], 1],
      ['name empty', ['name'], ''],
      ['region missing', ['region'], DELETE],
      ['region null', ['region'], null],
      ['endpoints missing', ['endpoints'], DELETE],
      ['endpoints an object', ['endpoints'], {}],
      ['endpoint not an object', ['endpoints', 0], 'h:1'],
      ['endpoint addr missing', ['endpoints', 0, 'addr'], DELETE],
      ['endpoint tls missing', ['endpoints', 0, 'tls'], DELETE],
      ['endpoint tls a string', ['endpoints', 0, 'tls'], 'true'],
      ['endpoint weight missing', ['endpoints', 0, 'weight'], DELETE],
      ['endpoint weight a string', ['endpoints', 0, 'weight'], '1'],
      ['labels an array', ['labels'], ['a']],
      ['labels null', ['labels'], null],
      ['a label value a number', ['labels', 'tier'], 1],
      ['a label key empty', ['labels', ''], 'v'],
    ])('throws BadRequest: %s', (_, path, value) => {
      expect(() => parseServiceBody(withPath(SERVICE, path, value))).toThrowRegistryError('BadRequest');
    });
  });

  describe('when a string is longer than 1024 UTF-8 bytes', () => {
    it.each<[string, (string | number)[]]>([
      ['name', ['name']],
      ['region', ['region']],
      ['addr', ['endpoints', 0, 'addr']],
      ['a label value', ['labels', 'tier']],
    ])('throws BadRequest for the %s', (_, path) => {
      expect(() => parseServiceBody(withPath(SERVICE, path, 'é'.repeat(513)))).toThrowRegistryError(
        'BadRequest',
        'longer than 1024 bytes',
      );
      expect(() => parseServiceBody(withPath(SERVICE, path, 'é'.repeat(512)))).not.toThrowRegistryError(
        'BadRequest',
        'longer than 1024 bytes',
      );
    });

    it('throws BadRequest for a label key', () => {
      expect(() =>
        parseServiceBody({ ...SERVICE, labels: { ['k'.repeat(1025)]: 'v' } }),
      ).toThrowRegistryError('BadRequest');
    });
  });

  describe('when weight is out of 0..65535', () => {
    it.each([0, 1, 65535])('accepts %i', (w) => {
      expect(() => parseServiceBody(withPath(SERVICE, ['endpoints', 0, 'weight'], w))).not.toThrow();
    });
    it.each([-1, 65536, 1.5, 1e300])('throws BadRequest for %j', (w) => {
      expect(() => parseServiceBody(withPath(SERVICE, ['endpoints', 0, 'weight'], w))).toThrowRegistryError(
        'BadRequest',
        'weight',
      );
    });
  });

  describe('when addr is in each allowed form or garbage', () => {
    it.each(['h:1', '[2001:db8::1]:443', 'https://svc.example/x'])('accepts %s', (a) => {
      expect(() => parseServiceBody(withPath(SERVICE, ['endpoints', 0, 'addr'], a))).not.toThrow();
    });
    it.each(['h', 'h:0', '[nope]:1', 'garbage here', '/sock'])('throws BadRequest for %s', (a) => {
      expect(() => parseServiceBody(withPath(SERVICE, ['endpoints', 0, 'addr'], a))).toThrowRegistryError(
        'BadRequest',
        'endpoints[0].addr',
      );
    });
  });

  describe('when the number of endpoints is outside 1..64', () => {
    it('accepts 1 and 64', () => {
      expect(() => parseServiceBody({ ...SERVICE, endpoints: endpoints(1) })).not.toThrow();
      expect(() => parseServiceBody({ ...SERVICE, endpoints: endpoints(64) })).not.toThrow();
    });
    it('throws BadRequest for 0 and 65', () => {
      expect(() => parseServiceBody({ ...SERVICE, endpoints: [] })).toThrowRegistryError(
        'BadRequest',
        'endpoints',
      );
      expect(() => parseServiceBody({ ...SERVICE, endpoints: endpoints(65) })).toThrowRegistryError(
        'BadRequest',
        'endpoints',
      );
    });
  });

  describe('when there are more than 32 labels', () => {
    it('accepts 32 and throws BadRequest for 33', () => {
      expect(() => parseServiceBody({ ...SERVICE, labels: labels(32) })).not.toThrow();
      expect(() => parseServiceBody({ ...SERVICE, labels: labels(33) })).toThrowRegistryError(
        'BadRequest',
        'at most 32 labels',
      );
    });
  });
});

describe('parseNodeBody', () => {
  describe('when minimal (region and addr only)', () => {
    it('accepts it', () => {
      expect(() => parseNodeBody({ region: 'r', addr: 'h:1' })).not.toThrow();
    });
  });

  describe('when a field is unknown', () => {
    it('throws BadRequest', () => {
      expect(() => parseNodeBody({ ...NODE, endpoints: [] })).toThrowRegistryError(
        'BadRequest',
        'body.endpoints',
      );
    });
  });

  describe('when a field is wrong', () => {
    it.each<[string, (string | number)[], unknown]>([
      ['region missing', ['region'], DELETE],
      ['addr missing', ['addr'], DELETE],
      ['addr garbage', ['addr'], 'nope'],
      ['addr port 0', ['addr'], 'h:0'],
      ['pubkey a number', ['pubkey'], 1],
      ['pubkey empty', ['pubkey'], ''],
      ['capabilities a string', ['capabilities'], 'storage'],
      ['a capability a number', ['capabilities'], [1]],
      ['a capability empty', ['capabilities'], ['']],
      ['a capability over 1024 bytes', ['capabilities'], ['c'.repeat(1025)]],
      ['65 capabilities', ['capabilities'], Array.from({ length: 65 }, (_, i) => `c${i}`)],
      ['labels with a number', ['labels'], { a: 1 }],
      ['33 labels', ['labels'], labels(33)],
    ])('throws BadRequest: %s', (_, path, value) => {
      expect(() => parseNodeBody(withPath(NODE, path, value))).toThrowRegistryError('BadRequest');
    });
  });
});

describe('parseRegionMapBody', () => {
  describe('when empty', () => {
    it('accepts a map with no regions', () => {
      expect(() => parseRegionMapBody({ regions: {} })).not.toThrow();
    });
  });

  describe('when a field is unknown, at any level', () => {
    it.each<[string, (string | number)[]]>([
      ['body', ['extra']],
      ['region', ['regions', 'us-east-1', 'extra']],
      ['service', ['regions', 'us-east-1', 'services', 0, 'extra']],
    ])('throws BadRequest in the %s', (_, path) => {
      expect(() => parseRegionMapBody(withPath(REGION_MAP, path, 1))).toThrowRegistryError(
        'BadRequest',
        'unknown field',
      );
    });
  });

  describe('when a field is wrong', () => {
    const svc = ['regions', 'us-east-1', 'services', 0];
    it.each<[string, (string | number)[], unknown]>([
      ['regions missing', ['regions'], DELETE],
      ['regions an array', ['regions'], []],
      ['a region not an object', ['regions', 'us-east-1'], []],
      ['services missing', ['regions', 'us-east-1', 'services'], DELETE],
      ['a region id with a slash', ['regions', 'us/east'], { services: [] }],
      ['a service id with a slash', [...svc, 'id'], 'svc/a'],
      ['a service id missing', [...svc, 'id'], DELETE],
      ['a service addr garbage', [...svc, 'addr'], 'garbage'],
      ['a service tls missing', [...svc, 'tls'], DELETE],
      ['a service weight 65536', [...svc, 'weight'], 65536],
      ['a service weight -1', [...svc, 'weight'], -1],
    ])('throws BadRequest: %s', (_, path, value) => {
      expect(() => parseRegionMapBody(withPath(REGION_MAP, path, value))).toThrowRegistryError('BadRequest');
    });
  });

  describe('when there are more regions or services than the limits', () => {
    it('throws BadRequest for 1025 regions and 1025 services in a region', () => {
      const regions = Object.fromEntries(Array.from({ length: 1025 }, (_, i) => [`r${i}`, { services: [] }]));
      expect(() => parseRegionMapBody({ regions })).toThrowRegistryError(
        'BadRequest',
        'at most 1024 regions',
      );
      const services = Array.from({ length: 1025 }, (_, i) => ({
        id: `s${i}`,
        addr: 'h:1',
        tls: true,
        weight: 1,
      }));
      expect(() => parseRegionMapBody({ regions: { r: { services } } })).toThrowRegistryError('BadRequest');
      expect(() => parseRegionMapBody({ regions: { r: { services: services.slice(1) } } })).not.toThrow();
    });
  });
});

describe('parseGovernanceBody', () => {
  describe('when the signers and threshold are valid', () => {
    it.each([1, 2, 3])('accepts threshold %i of 3', (threshold) => {
      expect(() => parseGovernanceBody({ signers: SIGNERS, threshold })).not.toThrow();
    });
  });

  describe('when a field is unknown or missing', () => {
    it.each<[string, unknown]>([
      ['unknown field', { ...GOVERNANCE, quorum: 2 }],
      ['signers missing', { threshold: 1 }],
      ['threshold missing', { signers: SIGNERS }],
    ])('throws BadRequest: %s', (_, body) => {
      expect(() => parseGovernanceBody(body)).toThrowRegistryError('BadRequest');
    });
  });

  describe('when a signer is duplicated', () => {
    it('throws BadRequest', () => {
      expect(() =>
        parseGovernanceBody({ signers: [SIGNERS[0], SIGNERS[1], SIGNERS[0]], threshold: 1 }),
      ).toThrowRegistryError('BadRequest', 'distinct');
    });
  });

  describe('when a signer is not a usable key', () => {
    it.each(SMALL_ORDER_KEYS_HEX)('throws BadRequest for the small-order key %s', (hex) => {
      expect(() =>
        parseGovernanceBody({ signers: [SIGNERS[0], signerIdFromHex(hex)], threshold: 1 }),
      ).toThrowRegistryError('BadRequest', 'body.signers[1]');
    });

    it.each(['ed25519:abc', 'ssh-ed25519 AAAA', 42])('throws BadRequest for a malformed signer %j', (s) => {
      expect(() => parseGovernanceBody({ signers: [s], threshold: 1 })).toThrowRegistryError(
        'BadRequest',
        'body.signers[0]',
      );
    });
  });

  describe('when there are 0 or more than 64 signers', () => {
    it('throws BadRequest for 0 and 65, accepts 64', () => {
      const ids = Array.from({ length: 65 }, (_, i) => testKey(100 + i).signerId);
      expect(() => parseGovernanceBody({ signers: [], threshold: 1 })).toThrowRegistryError('BadRequest');
      expect(() => parseGovernanceBody({ signers: ids.slice(0, 64), threshold: 64 })).not.toThrow();
      expect(() => parseGovernanceBody({ signers: ids, threshold: 1 })).toThrowRegistryError(
        'BadRequest',
        'must have 1 to 64 items',
      );
    });
  });

  describe('when the threshold is outside 1..len(signers)', () => {
    it.each([0, 4, -1, 1.5, '2', null])('throws BadRequest for %j', (threshold) => {
      expect(() => parseGovernanceBody({ signers: SIGNERS, threshold })).toThrowRegistryError(
        'BadRequest',
        'body.threshold',
      );
    });
  });
});
