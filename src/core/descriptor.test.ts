import { describe, expect, it } from 'vitest';
import {
  DELETE,
  DIGEST_A,
  governancePayload,
  key,
  NOW,
  nested,
  nodePayload,
  regionMapPayload,
  servicePayload,
  signAll,
  signed,
  withPath,
} from '../../test/helpers/core-fixtures.js';
import { signingBytes } from './canonical.js';
import {
  isDeprecated,
  parseCosignRequest,
  parseDescriptor,
  parsePayload,
  parseProposalRequest,
  payloadOf,
  RESERVED_IDS,
} from './descriptor.js';
import type { Payload } from './descriptor.types.js';
import { MAX_CLOCK_SKEW_MS } from './limits.js';

const SERVICE = servicePayload();
const GOVERNANCE = governancePayload([key(0), key(1)], 2);

describe('parsePayload', () => {
  describe('when given a valid payload of each kind', () => {
    it.each<[string, Payload]>([
      ['service', SERVICE],
      ['node', nodePayload()],
      ['region_map', regionMapPayload()],
      ['governance', GOVERNANCE],
      ['service at version 2', servicePayload({ version: 2, prev: DIGEST_A, deprecated: true })],
      ['governance with deprecated: false', governancePayload([key(0)], 1, { deprecated: false })],
    ])('returns the very object submitted (%s)', (_, p) => {
      const raw: unknown = JSON.parse(JSON.stringify(p));
      expect(parsePayload(raw, NOW)).toBe(raw);
    });
  });

  describe('when a payload field is unknown or missing', () => {
    it('throws BadRequest for an unknown field', () => {
      expect(() => parsePayload({ ...SERVICE, extra: 1 }, NOW)).toThrowRegistryError(
        'BadRequest',
        'descriptor.extra: unknown field',
      );
    });

    it('throws BadRequest for signatures inside a payload', () => {
      expect(() => parsePayload({ ...SERVICE, signatures: [] }, NOW)).toThrowRegistryError('BadRequest');
    });

    it.each(['id', 'version', 'kind', 'body', 'prev', 'ts'])('throws BadRequest when %s is missing', (f) => {
      expect(() => parsePayload(withPath(SERVICE, [f], DELETE), NOW)).toThrowRegistryError(
        'BadRequest',
        `descriptor.${f}`,
      );
    });

    it('accepts deprecated missing', () => {
      expect(isDeprecated(parsePayload(SERVICE, NOW))).toBe(false);
    });

    it.each([null, [], 'x', 1])('throws BadRequest when the payload is %j', (raw) => {
      expect(() => parsePayload(raw, NOW)).toThrowRegistryError('BadRequest');
    });
  });

  describe('when a field has the wrong type', () => {
    it.each<[string, unknown]>([
      ['id', 7],
      ['version', '1'],
      ['version', 1.5],
      ['version', 0],
      ['version', -1],
      ['version', 2 ** 53],
      ['kind', 'queue'],
      ['kind', 1],
      ['kind', 'Service'],
      ['body', []],
      ['body', null],
      ['prev', 7],
      ['ts', '1'],
      ['ts', -1],
      ['ts', 1.5],
      ['deprecated', 'false'],
      ['deprecated', null],
      ['deprecated', 0],
    ])('throws BadRequest for %s = %j', (f, v) => {
      // The body's own parser names its fields `body.…`.
      const field = f === 'body' ? 'body' : `descriptor.${f}`;
      expect(() => parsePayload(withPath(SERVICE, [f], v), NOW)).toThrowRegistryError('BadRequest', field);
    });
  });

  describe('when the id is malformed', () => {
    it.each(['', 'svc/storage', '-svc', `a${'b'.repeat(128)}`, 'svc storage', 'sévc'])(
      'throws BadRequest for %j',
      (id) => {
        expect(() => parsePayload({ ...SERVICE, id }, NOW)).toThrowRegistryError(
          'BadRequest',
          'descriptor.id',
        );
      },
    );
  });

  describe('when a reserved id is used by another kind', () => {
    it.each<[string, Payload]>([
      ['regions as a service', servicePayload({ id: 'regions' })],
      ['regions as a node', nodePayload({ id: 'regions' })],
      ['regions as governance', { ...GOVERNANCE, id: 'regions' } as Payload],
      ['governance as a service', servicePayload({ id: 'governance' })],
      ['governance as a region_map', regionMapPayload({ id: 'governance' })],
    ])('throws BadRequest for %s', (_, p) => {
      expect(() => parsePayload(p, NOW)).toThrowRegistryError('BadRequest', 'descriptor.id');
    });
  });

  describe('when a reserved kind uses another id', () => {
    it.each<[string, Payload]>([
      ['region_map', regionMapPayload({ id: 'regions-2' })],
      ['governance', { ...GOVERNANCE, id: 'gov' } as Payload],
    ])('throws BadRequest for %s', (kind, p) => {
      expect(() => parsePayload(p, NOW)).toThrowRegistryError('BadRequest', `kind ${kind} must use id`);
    });
  });

  describe('when the id is the name of an Object.prototype member', () => {
    // RESERVED_IDS is an object literal: a lookup must not find inherited members.
    it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'])(
      'accepts %s as an ordinary service id',
      (id) => {
        const p = servicePayload({ id });
        expect(parsePayload(p, NOW)).toBe(p);
      },
    );

    it('keeps the reserved table to its two entries', () => {
      expect(RESERVED_IDS).toEqual({ regions: 'region_map', governance: 'governance' });
    });
  });

  describe('when prev breaks the version-1 and version > 1 rules', () => {
    it.each<[string, Partial<Payload>, string]>([
      ['a digest at version 1', { version: 1, prev: DIGEST_A }, 'must be null at version 1'],
      ['null at version 2', { version: 2, prev: null }, 'must be the digest'],
      ['upper-case hex', { version: 2, prev: DIGEST_A.toUpperCase() }, '64 lowercase hex'],
      ['63 hex digits', { version: 2, prev: DIGEST_A.slice(1) }, '64 lowercase hex'],
      ['65 hex digits', { version: 2, prev: `${DIGEST_A}a` }, '64 lowercase hex'],
      ['not hex', { version: 2, prev: 'z'.repeat(64) }, '64 lowercase hex'],
      ['malformed at version 1', { version: 1, prev: 'nope' }, '64 lowercase hex'],
    ])('throws BadRequest for %s', (_, over, message) => {
      expect(() => parsePayload(servicePayload(over), NOW)).toThrowRegistryError('BadRequest', message);
    });

    it('accepts a well-formed digest at version > 1 (whether it is the head is for assertExtends)', () => {
      expect(() => parsePayload(servicePayload({ version: 7, prev: DIGEST_A }), NOW)).not.toThrow();
    });
  });

  describe('when ts is in the future', () => {
    it('accepts up to exactly 5 minutes ahead', () => {
      expect(() => parsePayload(servicePayload({ ts: NOW + MAX_CLOCK_SKEW_MS }), NOW)).not.toThrow();
      expect(() => parsePayload(servicePayload({ ts: 0 }), NOW)).not.toThrow();
    });

    it('throws BadRequest one millisecond later', () => {
      expect(MAX_CLOCK_SKEW_MS).toBe(300_000);
      expect(() =>
        parsePayload(servicePayload({ ts: NOW + MAX_CLOCK_SKEW_MS + 1 }), NOW),
      ).toThrowRegistryError('BadRequest', 'descriptor.ts');
    });
  });

  describe('when governance is deprecated', () => {
    it('throws BadRequest: the trust root cannot be deprecated', () => {
      expect(() => parsePayload({ ...GOVERNANCE, deprecated: true }, NOW)).toThrowRegistryError(
        'BadRequest',
        'descriptor.deprecated',
      );
    });

    it('accepts another kind deprecated', () => {
      expect(
        isDeprecated(parsePayload(servicePayload({ version: 2, prev: DIGEST_A, deprecated: true }), NOW)),
      ).toBe(true);
    });
  });

  describe('when a body is invalid for its kind', () => {
    it.each<[string, Payload]>([
      ['service', withPath(SERVICE, ['body', 'endpoints'], []) as Payload],
      ['node', withPath(nodePayload(), ['body', 'extra'], 1) as Payload],
      ['region_map', withPath(regionMapPayload(), ['body', 'regions', 'x'], 1) as Payload],
      ['governance', withPath(GOVERNANCE, ['body', 'threshold'], 3) as Payload],
    ])('throws BadRequest for a %s', (_, p) => {
      expect(() => parsePayload(p, NOW)).toThrowRegistryError('BadRequest', 'body');
    });
  });

  describe('when the JSON breaks the generic limits', () => {
    it('throws BadRequest for nesting deeper than 64 anywhere', () => {
      // payload (1) > body (2) > labels (3): a label value nested 62 more is 65 levels.
      const deep = withPath(SERVICE, ['body', 'labels'], { a: nested(62) });
      expect(() => parsePayload(deep, NOW)).toThrowRegistryError('BadRequest', 'nesting');
    });

    it('throws BadRequest for a lone surrogate in any string', () => {
      expect(() => parsePayload(withPath(SERVICE, ['body', 'name'], 'a\ud800'), NOW)).toThrowRegistryError(
        'BadRequest',
        'lone surrogate',
      );
      expect(() =>
        parsePayload(withPath(SERVICE, ['body', 'labels'], { '\udfff': 'v' }), NOW),
      ).toThrowRegistryError('BadRequest', 'lone surrogate');
    });

    it('throws BadRequest for a string over 1024 UTF-8 bytes', () => {
      expect(() =>
        parsePayload(withPath(SERVICE, ['body', 'region'], '😀'.repeat(257)), NOW),
      ).toThrowRegistryError('BadRequest');
    });
  });
});

describe('parseDescriptor', () => {
  const d = signed(SERVICE, [key(0), key(1)]);

  describe('when given a signed descriptor', () => {
    it('returns the payload fields and the parsed signatures', () => {
      const parsed = parseDescriptor(JSON.parse(JSON.stringify(d)), NOW);
      expect(parsed).toEqual(d);
      expect(signingBytes(payloadOf(parsed))).toEqual(signingBytes(SERVICE));
    });

    it('accepts an empty signature list (genesis)', () => {
      expect(parseDescriptor({ ...GOVERNANCE, signatures: [] }, NOW).signatures).toEqual([]);
    });
  });

  describe('when signatures is missing or wrong', () => {
    it('throws BadRequest', () => {
      expect(() => parseDescriptor(SERVICE, NOW)).toThrowRegistryError('BadRequest', 'descriptor.signatures');
      expect(() => parseDescriptor({ ...SERVICE, signatures: {} }, NOW)).toThrowRegistryError('BadRequest');
    });

    it('throws BadRequest for the same signer twice', () => {
      const [s] = signAll(SERVICE, [key(0)]);
      expect(() => parseDescriptor({ ...SERVICE, signatures: [s, s] }, NOW)).toThrowRegistryError(
        'BadRequest',
        'duplicate signer',
      );
    });
  });

  describe('when a field is unknown', () => {
    it('throws BadRequest', () => {
      expect(() => parseDescriptor({ ...d, extra: true }, NOW)).toThrowRegistryError(
        'BadRequest',
        'unknown field',
      );
    });
  });
});

describe('payloadOf', () => {
  describe('when given a descriptor', () => {
    it('drops only signatures', () => {
      const d = signed(SERVICE, [key(0)]);
      expect(payloadOf(d)).toEqual(SERVICE);
      expect(Object.hasOwn(payloadOf(d), 'signatures')).toBe(false);
    });
  });
});

describe('parseProposalRequest', () => {
  describe('when well-formed', () => {
    it('returns the payload and signatures', () => {
      const signatures = signAll(SERVICE, [key(0)]);
      const r = parseProposalRequest({ descriptor: SERVICE, signatures }, NOW);
      expect(r.payload).toBe(SERVICE);
      expect(r.signatures).toEqual(signatures);
    });
  });

  describe('when a field is unknown, missing, or the payload invalid', () => {
    it.each<[string, unknown]>([
      ['unknown field', { descriptor: SERVICE, signatures: [], extra: 1 }],
      ['descriptor missing', { signatures: [] }],
      ['signatures missing', { descriptor: SERVICE }],
      ['signatures inside descriptor', { descriptor: { ...SERVICE, signatures: [] }, signatures: [] }],
      ['an invalid payload', { descriptor: { ...SERVICE, version: 0 }, signatures: [] }],
      ['an array', []],
    ])('throws BadRequest: %s', (_, raw) => {
      expect(() => parseProposalRequest(raw, NOW)).toThrowRegistryError('BadRequest');
    });
  });
});

describe('parseCosignRequest', () => {
  describe('when well-formed', () => {
    it('returns the signatures', () => {
      const signatures = signAll(SERVICE, [key(0), key(1)]);
      expect(parseCosignRequest({ signatures })).toEqual(signatures);
    });
  });

  describe('when a field is unknown or signatures is missing', () => {
    it.each<unknown>([{ signatures: [], descriptor: SERVICE }, {}, { signatures: 'x' }])(
      'throws BadRequest',
      (raw) => {
        expect(() => parseCosignRequest(raw)).toThrowRegistryError('BadRequest');
      },
    );
  });
});
