import { describe, expect, it } from 'vitest';
import { addr, array, boolean, id, integer, object, string } from './shape.js';

describe('object', () => {
  describe('when the value is an object with allowed keys', () => {
    it('returns it', () => {
      const v = { a: 1, b: 2 };
      expect(object(v, 'x', ['a', 'b', 'c'], ['a'])).toBe(v);
    });
  });

  describe('when the value is not a plain object', () => {
    it.each([null, [], 'x', 1, true, undefined])('throws BadRequest for %j', (v) => {
      expect(() => object(v, 'x', [], [])).toThrowRegistryError('BadRequest', 'must be an object');
    });
  });

  describe('when a key is unknown or missing', () => {
    it('names the unknown key', () => {
      expect(() => object({ a: 1, z: 2 }, 'x', ['a'], [])).toThrowRegistryError(
        'BadRequest',
        'x.z: unknown field',
      );
    });

    it('names the missing key, even when present as undefined on the prototype', () => {
      const inherited = Object.create({ a: 1 }) as object;
      expect(() => object(inherited, 'x', ['a'], ['a'])).toThrowRegistryError(
        'BadRequest',
        'x.a: is required',
      );
    });

    it('treats __proto__ from JSON as an unknown key', () => {
      expect(() => object(JSON.parse('{"__proto__":{}}'), 'x', ['a'], [])).toThrowRegistryError(
        'BadRequest',
        'x.__proto__',
      );
    });
  });
});

describe('string', () => {
  describe('when the value is a string within bounds', () => {
    it('returns it', () => {
      expect(string('a', 'f')).toBe('a');
      expect(string('', 'f', { min: 0 })).toBe('');
      expect(string('a'.repeat(1024), 'f')).toHaveLength(1024);
    });
  });

  describe('when the value breaks a rule', () => {
    it.each([
      ['a number', 1],
      ['null', null],
      ['empty', ''],
      ['1025 bytes', 'a'.repeat(1025)],
      ['1026 bytes in 513 two-byte characters', 'é'.repeat(513)],
    ])('throws BadRequest for %s', (_, v) => {
      expect(() => string(v, 'f')).toThrowRegistryError('BadRequest', 'f');
    });
  });
});

describe('integer', () => {
  describe('when the value is a safe integer in range', () => {
    it.each([0, 1, 65535])('returns %i', (v) => {
      expect(integer(v, 'w', 0, 65535)).toBe(v);
    });
  });

  describe('when the value is not', () => {
    it.each([-1, 65536, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '1', null, true])(
      'throws BadRequest for %j',
      (v) => {
        expect(() => integer(v, 'w', 0, 65535)).toThrowRegistryError('BadRequest', 'w');
      },
    );
  });
});

describe('boolean', () => {
  describe('when the value is a boolean', () => {
    it('returns it', () => {
      expect(boolean(false, 'b')).toBe(false);
      expect(boolean(true, 'b')).toBe(true);
    });
  });

  describe('when it is not', () => {
    it.each([0, 1, 'true', null])('throws BadRequest for %j', (v) => {
      expect(() => boolean(v, 'b')).toThrowRegistryError('BadRequest');
    });
  });
});

describe('array', () => {
  describe('when the length is within bounds', () => {
    it('returns the array', () => {
      const a = [1, 2];
      expect(array(a, 'a', 1, 2)).toBe(a);
    });
  });

  describe('when it is not an array or the length is out of bounds', () => {
    it.each([
      ['an object', { length: 1 }],
      ['too short', []],
      ['too long', [1, 2, 3]],
    ])('throws BadRequest for %s', (_, v) => {
      expect(() => array(v, 'a', 1, 2)).toThrowRegistryError('BadRequest');
    });
  });
});

describe('id', () => {
  describe('when the id matches SPEC §2', () => {
    it.each(['a', 'svc-storage@us-east-1', 'node:1.2_x', `a${'b'.repeat(127)}`, '0'])('accepts %s', (v) => {
      expect(id(v, 'id')).toBe(v);
    });
  });

  describe('when it does not', () => {
    it.each([
      ['empty', ''],
      ['a slash', 'svc/storage'],
      ['a leading dash', '-svc'],
      ['a leading dot', '.svc'],
      ['129 characters', `a${'b'.repeat(128)}`],
      ['a space', 'svc storage'],
      ['non-ASCII', 'sévc'],
      ['a trailing newline', 'svc\n'],
      ['not a string', 7],
    ])('throws BadRequest for %s', (_, v) => {
      expect(() => id(v, 'id')).toThrowRegistryError('BadRequest');
    });
  });
});

describe('addr', () => {
  describe('when given host:port', () => {
    it.each(['10.0.0.7:443', 'storage.example:1', 'a:65535', 'my-host.internal:8080'])('accepts %s', (v) => {
      expect(addr(v, 'addr')).toBe(v);
    });
  });

  describe('when given [ipv6]:port', () => {
    it.each(['[::1]:443', '[2001:db8::7]:8443', '[::ffff:10.0.0.1]:80'])('accepts %s', (v) => {
      expect(addr(v, 'addr')).toBe(v);
    });
  });

  describe('when given an absolute URL', () => {
    it.each(['https://storage.example', 'http://10.0.0.7:8080/path', 'grpc+tls://svc.internal:443'])(
      'accepts %s',
      (v) => {
        expect(addr(v, 'addr')).toBe(v);
      },
    );
  });

  describe('when the port is out of range', () => {
    it.each(['host:0', 'host:65536', 'host:99999', '[::1]:0'])('throws BadRequest for %s', (v) => {
      expect(() => addr(v, 'addr')).toThrowRegistryError('BadRequest', 'port must be 1..65535');
    });
  });

  describe('when given garbage', () => {
    it.each([
      ['no port', 'storage.example'],
      ['empty port', 'host:'],
      ['a six-digit port', 'host:123456'],
      ['letters in the port', 'host:http'],
      ['a bare IPv6 address', '::1'],
      ['an unbracketed IPv6 address with port', '2001:db8::1:443'],
      ['brackets around letters', '[zz]:80'],
      ['not an IPv6 address in brackets', '[:::::]:80'],
      ['an IPv4 address in brackets', '[10.0.0.1]:80'],
      ['an IPv6 address with too many groups', '[1:2:3:4:5:6:7:8:9]:80'],
      ['a scheme without authority', 'mailto:ops@example'],
      ['a relative path', '/var/run/sock'],
      ['spaces', 'my host:80'],
      ['a URL with a space in the host', 'http:// host'],
      ['free text', 'not an address'],
      ['a leading dash', '-host:80'],
      ['empty', ''],
      ['a number', 443],
    ])('throws BadRequest for %s', (_, v) => {
      expect(() => addr(v, 'addr')).toThrowRegistryError('BadRequest', 'addr');
    });
  });
});
