/**
 * SPEC §8 configuration: every guardrail and default of `parseConfig` (env first, flags
 * override, an invalid setting is one line naming it), the amnesia guardrail `checkAmnesia`
 * and the /proc/mounts reader behind it.
 */
import { describe, expect, it } from 'vitest';
import { type Flags, parseConfig } from '../src/cli/config.js';
import { checkAmnesia } from '../src/cli/serve.js';
import { fsTypeOf } from '../src/cli/tmpfs.js';
import { encodeBase64url } from '../src/core/base64url.js';
import { KEYS, testKey } from './helpers/fixtures.js';
import { ROOT_KEY } from './helpers/server.js';

type Env = Record<string, string | undefined>;

const [A, B, C] = [KEYS[0].signerId, KEYS[1].signerId, KEYS[2].signerId];

/** The ed25519 identity point (y = 1): a small-order key (SPEC §3). */
const IDENTITY = new Uint8Array(32);
IDENTITY[0] = 0x01;
const SMALL_ORDER = `ed25519:${encodeBase64url(IDENTITY)}`;

/** The minimum `serve` needs: the macaroon root key. */
const BASE: Env = { MACAROON_ROOT_KEY: ROOT_KEY };

const config = (env: Env, flags: Flags = {}) => parseConfig({ ...BASE, ...env }, flags);

interface Bad {
  readonly name: string;
  readonly env: Env;
  readonly flags?: Flags;
  /** The setting the one-line message must name. */
  readonly setting: string;
}

const BAD: readonly Bad[] = [
  { name: 'BIND without a port', env: { BIND: 'localhost' }, setting: 'BIND' },
  { name: 'BIND with a non-numeric port', env: { BIND: '127.0.0.1:http' }, setting: 'BIND' },
  { name: 'BIND with port > 65535', env: { BIND: '127.0.0.1:65536' }, setting: 'BIND' },
  { name: '--bind malformed', env: { BIND: '127.0.0.1:0' }, flags: { bind: ':99999' }, setting: 'BIND' },
  { name: 'METRICS_ADDR malformed', env: { METRICS_ADDR: 'nope' }, setting: 'METRICS_ADDR' },
  {
    name: 'SIG_THRESHOLD 0',
    env: { SIGNER_ALLOWLIST: `${A},${B}`, SIG_THRESHOLD: '0' },
    setting: 'SIG_THRESHOLD',
  },
  {
    name: 'SIG_THRESHOLD > len(SIGNER_ALLOWLIST)',
    env: { SIGNER_ALLOWLIST: `${A},${B}`, SIG_THRESHOLD: '3' },
    setting: 'SIG_THRESHOLD',
  },
  {
    name: 'default SIG_THRESHOLD 2 with a single signer',
    env: { SIGNER_ALLOWLIST: A },
    setting: 'SIG_THRESHOLD',
  },
  {
    name: 'SIG_THRESHOLD not an integer (1.5)',
    env: { SIGNER_ALLOWLIST: `${A},${B}`, SIG_THRESHOLD: '1.5' },
    setting: 'SIG_THRESHOLD',
  },
  {
    name: 'SIG_THRESHOLD not a number',
    env: { SIGNER_ALLOWLIST: `${A},${B}`, SIG_THRESHOLD: 'two' },
    setting: 'SIG_THRESHOLD',
  },
  {
    name: 'SIG_THRESHOLD negative',
    env: { SIGNER_ALLOWLIST: `${A},${B}`, SIG_THRESHOLD: '-1' },
    setting: 'SIG_THRESHOLD',
  },
  { name: 'SIG_THRESHOLD set without an allow-list', env: { SIG_THRESHOLD: '1' }, setting: 'SIG_THRESHOLD' },
  {
    name: '--sig-threshold set without an allow-list',
    env: {},
    flags: { sigThreshold: '1' },
    setting: 'SIG_THRESHOLD',
  },
  {
    name: '--sig-threshold over the allow-list size',
    env: { SIGNER_ALLOWLIST: `${A},${B}`, SIG_THRESHOLD: '1' },
    flags: { sigThreshold: '3' },
    setting: 'SIG_THRESHOLD',
  },
  {
    name: 'SIGNER_ALLOWLIST with a duplicate',
    env: { SIGNER_ALLOWLIST: `${A},${B},${A}`, SIG_THRESHOLD: '2' },
    setting: 'SIGNER_ALLOWLIST',
  },
  {
    name: 'SIGNER_ALLOWLIST duplicate across repeated --allow-signer',
    env: {},
    flags: { allowSigner: [`${A},${B}`, B], sigThreshold: '1' },
    setting: 'SIGNER_ALLOWLIST',
  },
  {
    name: 'SIGNER_ALLOWLIST signer_id without the ed25519: prefix',
    env: { SIGNER_ALLOWLIST: `${A},${B.slice('ed25519:'.length)}`, SIG_THRESHOLD: '1' },
    setting: 'SIGNER_ALLOWLIST',
  },
  {
    name: 'SIGNER_ALLOWLIST signer_id of the wrong length',
    env: { SIGNER_ALLOWLIST: 'ed25519:abc', SIG_THRESHOLD: '1' },
    setting: 'SIGNER_ALLOWLIST',
  },
  {
    name: 'SIGNER_ALLOWLIST signer_id with a non-base64url character',
    env: { SIGNER_ALLOWLIST: `${A.slice(0, -1)}+`, SIG_THRESHOLD: '1' },
    setting: 'SIGNER_ALLOWLIST',
  },
  {
    name: 'SIGNER_ALLOWLIST with a small-order key (the identity point)',
    env: { SIGNER_ALLOWLIST: `${A},${SMALL_ORDER}`, SIG_THRESHOLD: '1' },
    setting: 'SIGNER_ALLOWLIST',
  },
  {
    name: 'SIGNER_ALLOWLIST with more than 64 signers',
    env: {
      SIGNER_ALLOWLIST: Array.from({ length: 65 }, (_, i) => testKey(i + 1).signerId).join(','),
      SIG_THRESHOLD: '1',
    },
    setting: 'SIGNER_ALLOWLIST',
  },
  { name: 'MACAROON_ROOT_KEY missing', env: { MACAROON_ROOT_KEY: undefined }, setting: 'MACAROON_ROOT_KEY' },
  { name: 'MACAROON_ROOT_KEY empty', env: { MACAROON_ROOT_KEY: '' }, setting: 'MACAROON_ROOT_KEY' },
  {
    name: 'MACAROON_ROOT_KEY of 31 bytes',
    env: { MACAROON_ROOT_KEY: ROOT_KEY.slice(2) },
    setting: 'MACAROON_ROOT_KEY',
  },
  {
    name: 'MACAROON_ROOT_KEY with an odd number of digits',
    env: { MACAROON_ROOT_KEY: `${ROOT_KEY}0` },
    setting: 'MACAROON_ROOT_KEY',
  },
  {
    name: 'MACAROON_ROOT_KEY not hex',
    env: { MACAROON_ROOT_KEY: `${ROOT_KEY.slice(1)}g` },
    setting: 'MACAROON_ROOT_KEY',
  },
  { name: 'LOG_LEVEL unknown', env: { LOG_LEVEL: 'verbose' }, setting: 'LOG_LEVEL' },
  { name: 'LOG_LEVEL in capitals', env: { LOG_LEVEL: 'INFO' }, setting: 'LOG_LEVEL' },
  { name: 'READ_CACHE_CAP negative', env: { READ_CACHE_CAP: '-1' }, setting: 'READ_CACHE_CAP' },
  { name: 'READ_CACHE_CAP too large', env: { READ_CACHE_CAP: '10000001' }, setting: 'READ_CACHE_CAP' },
  { name: 'READ_CACHE_CAP not an integer', env: { READ_CACHE_CAP: '1e3' }, setting: 'READ_CACHE_CAP' },
  { name: 'MAX_BODY_BYTES below 1024', env: { MAX_BODY_BYTES: '1023' }, setting: 'MAX_BODY_BYTES' },
  { name: 'MAX_BODY_BYTES above 16 MiB', env: { MAX_BODY_BYTES: '16777217' }, setting: 'MAX_BODY_BYTES' },
  { name: 'MAX_BODY_BYTES not a number', env: { MAX_BODY_BYTES: '64k' }, setting: 'MAX_BODY_BYTES' },
  { name: 'WRITE_RATE 0', env: { WRITE_RATE: '0' }, setting: 'WRITE_RATE' },
  { name: 'WRITE_RATE above 1,000,000', env: { WRITE_RATE: '1000001' }, setting: 'WRITE_RATE' },
  { name: 'WRITE_RATE fractional', env: { WRITE_RATE: '2.5' }, setting: 'WRITE_RATE' },
  { name: 'PROPOSAL_TTL malformed', env: { PROPOSAL_TTL: '1 day' }, setting: 'PROPOSAL_TTL' },
  { name: 'PROPOSAL_TTL with an unknown unit', env: { PROPOSAL_TTL: '1h30x' }, setting: 'PROPOSAL_TTL' },
  { name: 'PROPOSAL_TTL negative', env: { PROPOSAL_TTL: '-5m' }, setting: 'PROPOSAL_TTL' },
  { name: 'PROPOSAL_TTL below 1s (500ms)', env: { PROPOSAL_TTL: '500ms' }, setting: 'PROPOSAL_TTL' },
  { name: 'PROPOSAL_TTL below 1s (999 plain ms)', env: { PROPOSAL_TTL: '999' }, setting: 'PROPOSAL_TTL' },
  { name: 'PROPOSAL_TTL 0s', env: { PROPOSAL_TTL: '0s' }, setting: 'PROPOSAL_TTL' },
  { name: 'AMNESIA not a boolean', env: { AMNESIA: 'maybe' }, setting: 'AMNESIA' },
  { name: 'READ_AUTH not a boolean', env: { READ_AUTH: '2' }, setting: 'READ_AUTH' },
  { name: 'MIRROR_OF not a URL', env: { MIRROR_OF: 'upstream:9402' }, setting: 'MIRROR_OF' },
  { name: 'MIRROR_OF another scheme', env: { MIRROR_OF: 'ftp://upstream' }, setting: 'MIRROR_OF' },
  { name: '--mirror-of not a URL', env: {}, flags: { mirrorOf: '/v1/registry' }, setting: 'MIRROR_OF' },
  { name: 'REGISTRY_BACKEND unknown', env: { REGISTRY_BACKEND: 'etcd' }, setting: 'REGISTRY_BACKEND' },
  { name: '--backend unknown', env: {}, flags: { backend: 'raft' }, setting: 'REGISTRY_BACKEND' },
  { name: 'nats backend without NATS_URL', env: { REGISTRY_BACKEND: 'nats' }, setting: 'NATS_URL' },
  {
    name: 'NATS_URL not nats://',
    env: { REGISTRY_BACKEND: 'nats', NATS_URL: 'http://127.0.0.1:4222', SIGNER_ALLOWLIST: `${A},${B}` },
    setting: 'NATS_URL',
  },
  {
    name: 'NATS_STREAM with a dot',
    env: {
      REGISTRY_BACKEND: 'nats',
      NATS_URL: 'nats://127.0.0.1:4222',
      NATS_STREAM: 'reg.istry',
      SIGNER_ALLOWLIST: `${A},${B}`,
    },
    setting: 'NATS_STREAM',
  },
  {
    name: 'NATS_REPLICAS above 5',
    env: {
      REGISTRY_BACKEND: 'nats',
      NATS_URL: 'nats://127.0.0.1:4222',
      NATS_REPLICAS: '7',
      SIGNER_ALLOWLIST: `${A},${B}`,
    },
    setting: 'NATS_REPLICAS',
  },
  {
    name: 'nats backend without a genesis',
    env: { REGISTRY_BACKEND: 'nats', NATS_URL: 'nats://127.0.0.1:4222' },
    setting: 'SIGNER_ALLOWLIST',
  },
  {
    name: 'nats backend with MIRROR_OF',
    env: {
      REGISTRY_BACKEND: 'nats',
      NATS_URL: 'nats://a:4222',
      MIRROR_OF: 'http://upstream:9402',
      SIGNER_ALLOWLIST: `${A},${B}`,
    },
    setting: 'MIRROR_OF',
  },
];

describe('parseConfig', () => {
  describe('when a setting is invalid (SPEC §8 guardrails)', () => {
    it.each(BAD.map((row) => [row.name, row] as const))(
      '%s: throws BadRequest with one line naming the setting',
      (_, row) => {
        const run = () => config(row.env, row.flags);
        expect(run).toThrowRegistryError('BadRequest', row.setting);
        // `serve` prints the message as its only line before exiting 2.
        expect(run).toThrow(/^[^\n]+$/);
      },
    );
  });

  describe('when nothing optional is set', () => {
    it('uses the SPEC §8 defaults', () => {
      const c = parseConfig({ MACAROON_ROOT_KEY: ROOT_KEY });
      expect(c).toEqual({
        // SPEC §8: the CLI's default REGISTRY_URL.
        bind: { host: '127.0.0.1', port: 9402 },
        db: './_data',
        dbExplicit: false,
        genesis: undefined,
        readCacheCap: 8192,
        logLevel: 'info',
        metricsAddr: undefined,
        amnesia: false,
        macaroonRootKey: ROOT_KEY,
        proposalTtlMs: 24 * 3_600_000,
        maxBodyBytes: 65_536,
        writeRate: 200,
        readAuth: false,
        mirrorOf: undefined,
        mirrorToken: undefined,
        oidcIssuers: undefined,
        nats: undefined,
        tlog: {
          logKey: undefined,
          logOrigin: undefined,
          checkpointIntervalMs: 10_000,
          witnesses: [],
          witnessQuorum: 0,
          witnessKey: undefined,
          witnessName: undefined,
          witnessLogs: [],
        },
      });
    });

    it('treats empty values of optional settings as unset', () => {
      const c = config({
        SIG_THRESHOLD: '',
        READ_CACHE_CAP: '',
        MAX_BODY_BYTES: '',
        WRITE_RATE: '',
        AMNESIA: '',
        READ_AUTH: '',
        MIRROR_OF: '',
        METRICS_ADDR: '',
      });
      expect(c).toMatchObject({
        genesis: undefined,
        readCacheCap: 8192,
        maxBodyBytes: 65_536,
        writeRate: 200,
        amnesia: false,
        readAuth: false,
        mirrorOf: undefined,
        metricsAddr: undefined,
      });
    });

    it('reads cluster mode settings: servers split on commas, stream and replicas', () => {
      const c = config({
        REGISTRY_BACKEND: 'nats',
        NATS_URL: 'nats://10.0.0.1:4222, nats://10.0.0.2:4222,127.0.0.1:4223',
        NATS_STREAM: 'prod_registry',
        NATS_REPLICAS: '3',
        SIGNER_ALLOWLIST: `${A},${B}`,
      });
      expect(c.nats).toEqual({
        servers: ['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222', '127.0.0.1:4223'],
        stream: 'prod_registry',
        replicas: 3,
      });
      const flags = config({ SIGNER_ALLOWLIST: `${A},${B}` }, { backend: 'nats', natsUrl: 'nats://n:4222' });
      expect(flags.nats).toEqual({ servers: ['nats://n:4222'], stream: 'registry', replicas: 1 });
      expect(config({ REGISTRY_BACKEND: 'level' }).nats).toBeUndefined();
    });

    it('defaults SIG_THRESHOLD to 2 when an allow-list is given', () => {
      expect(config({ SIGNER_ALLOWLIST: `${A},${B},${C}` }).genesis).toEqual({
        signers: [A, B, C],
        threshold: 2,
      });
    });
  });

  describe('when settings are valid', () => {
    it.each([
      ['24h', 86_400_000],
      ['90m', 5_400_000],
      ['1h30m', 5_400_000],
      ['45s', 45_000],
      ['1s', 1000],
      ['2d', 172_800_000],
      ['1000', 1000],
      [' 1h ', 3_600_000],
    ] as const)('reads PROPOSAL_TTL=%j as %i ms', (raw, ms) => {
      expect(config({ PROPOSAL_TTL: raw }).proposalTtlMs).toBe(ms);
    });

    it.each([
      ['true', true],
      ['TRUE', true],
      ['1', true],
      ['yes', true],
      ['on', true],
      ['false', false],
      ['False', false],
      ['0', false],
      ['no', false],
      ['off', false],
    ] as const)('reads AMNESIA=%j and READ_AUTH=%j as %s', (raw, value) => {
      const c = config({ AMNESIA: raw, READ_AUTH: raw });
      expect(c.amnesia).toBe(value);
      expect(c.readAuth).toBe(value);
    });

    it.each([
      ['0.0.0.0:9402', { host: '0.0.0.0', port: 9402 }],
      [':8080', { host: '127.0.0.1', port: 8080 }],
      ['localhost:65535', { host: 'localhost', port: 65535 }],
      ['[::1]:9402', { host: '::1', port: 9402 }],
    ] as const)('reads BIND=%j', (raw, bind) => {
      expect(config({ BIND: raw }).bind).toEqual(bind);
    });

    it('reads the numeric settings at the edges of their ranges', () => {
      expect(config({ READ_CACHE_CAP: '0', MAX_BODY_BYTES: '1024', WRITE_RATE: '1' })).toMatchObject({
        readCacheCap: 0,
        maxBodyBytes: 1024,
        writeRate: 1,
      });
      expect(
        config({ READ_CACHE_CAP: '10000000', MAX_BODY_BYTES: '16777216', WRITE_RATE: '1000000' }),
      ).toMatchObject({ readCacheCap: 10_000_000, maxBodyBytes: 16_777_216, writeRate: 1_000_000 });
    });

    it('reads a genesis from SIGNER_ALLOWLIST and SIG_THRESHOLD, trimming spaces', () => {
      const c = config({ SIGNER_ALLOWLIST: ` ${A} , ${B},${C} `, SIG_THRESHOLD: '3' });
      expect(c.genesis).toEqual({ signers: [A, B, C], threshold: 3 });
    });

    it('accepts 64 signers', () => {
      const ids = Array.from({ length: 64 }, (_, i) => testKey(i + 1).signerId);
      expect(config({ SIGNER_ALLOWLIST: ids.join(','), SIG_THRESHOLD: '64' }).genesis?.signers).toEqual(ids);
    });

    it('lower-cases MACAROON_ROOT_KEY and accepts longer keys', () => {
      expect(config({ MACAROON_ROOT_KEY: ROOT_KEY.toUpperCase() }).macaroonRootKey).toBe(ROOT_KEY);
      expect(config({ MACAROON_ROOT_KEY: `${ROOT_KEY}abcd` }).macaroonRootKey).toBe(`${ROOT_KEY}abcd`);
    });

    it('reads LOG_LEVEL, METRICS_ADDR and MIRROR_OF', () => {
      const c = config({
        LOG_LEVEL: 'silent',
        METRICS_ADDR: '127.0.0.1:9464',
        MIRROR_OF: 'http://upstream:9402',
      });
      expect(c).toMatchObject({
        logLevel: 'silent',
        metricsAddr: { host: '127.0.0.1', port: 9464 },
        mirrorOf: 'http://upstream:9402',
      });
    });

    it('marks REGISTRY_DB as explicit, even when it equals the default', () => {
      expect(config({ REGISTRY_DB: './_data' })).toMatchObject({ db: './_data', dbExplicit: true });
      expect(config({}, { db: '/srv/registry' })).toMatchObject({ db: '/srv/registry', dbExplicit: true });
    });
  });

  describe('when flags are given (flags override env)', () => {
    const env: Env = {
      BIND: '127.0.0.1:9402',
      REGISTRY_DB: '/env/db',
      SIGNER_ALLOWLIST: `${A},${B},${C}`,
      SIG_THRESHOLD: '3',
      AMNESIA: 'false',
      LOG_LEVEL: 'warn',
      MIRROR_OF: 'http://env-upstream:9402',
      METRICS_ADDR: '127.0.0.1:9464',
      READ_AUTH: 'false',
    };

    it('--bind overrides BIND', () => {
      expect(config(env, { bind: '0.0.0.0:7000' }).bind).toEqual({ host: '0.0.0.0', port: 7000 });
    });

    it('--db overrides REGISTRY_DB', () => {
      expect(config(env, { db: '/flag/db' }).db).toBe('/flag/db');
    });

    it('--sig-threshold overrides SIG_THRESHOLD', () => {
      expect(config(env, { sigThreshold: '1' }).genesis?.threshold).toBe(1);
    });

    it('repeated --allow-signer replaces SIGNER_ALLOWLIST, each value split on commas', () => {
      const c = config(env, { allowSigner: [`${B},${C}`, KEYS[3].signerId], sigThreshold: '2' });
      expect(c.genesis).toEqual({ signers: [B, C, KEYS[3].signerId], threshold: 2 });
    });

    it('--allow-signer without --sig-threshold keeps SIG_THRESHOLD from env', () => {
      expect(config(env, { allowSigner: [A, B, C] }).genesis?.threshold).toBe(3);
    });

    it('--amnesia overrides AMNESIA', () => {
      expect(config(env, { amnesia: true }).amnesia).toBe(true);
      expect(config({ AMNESIA: 'true' }, { amnesia: false }).amnesia).toBe(false);
    });

    it('--log-level, --mirror-of, --metrics-addr and --read-auth override their env', () => {
      const c = config(env, {
        logLevel: 'error',
        mirrorOf: 'https://flag-upstream',
        metricsAddr: '127.0.0.1:9999',
        readAuth: true,
      });
      expect(c).toMatchObject({
        logLevel: 'error',
        mirrorOf: 'https://flag-upstream',
        metricsAddr: { host: '127.0.0.1', port: 9999 },
        readAuth: true,
      });
    });

    it('a flag overrides an invalid env value without reading it', () => {
      expect(config({ BIND: 'nope' }, { bind: '127.0.0.1:1' }).bind.port).toBe(1);
      expect(config({ AMNESIA: 'maybe' }, { amnesia: true }).amnesia).toBe(true);
    });
  });
});

describe('checkAmnesia', () => {
  const amnesic = (env: Env) => config({ AMNESIA: 'true', ...env });

  describe('when REGISTRY_DB is on tmpfs or ramfs', () => {
    it.each(['tmpfs', 'ramfs'])('accepts %s', (type) => {
      const seen: string[] = [];
      expect(() =>
        checkAmnesia(amnesic({ REGISTRY_DB: '/dev/shm/registry' }), (p) => {
          seen.push(p);
          return type;
        }),
      ).not.toThrow();
      expect(seen).toEqual(['/dev/shm/registry']);
    });
  });

  describe('when REGISTRY_DB is on another filesystem', () => {
    it('throws BadRequest naming AMNESIA, REGISTRY_DB and the filesystem', () => {
      const c = amnesic({ REGISTRY_DB: '/var/lib/registry' });
      expect(() => checkAmnesia(c, () => 'ext4')).toThrowRegistryError(
        'BadRequest',
        /AMNESIA.*REGISTRY_DB.*ext4/,
      );
    });

    it('refuses a filesystem it cannot tell', () => {
      const c = amnesic({ REGISTRY_DB: '/somewhere' });
      expect(() => checkAmnesia(c, () => undefined)).toThrowRegistryError('BadRequest', 'REGISTRY_DB');
    });

    it('refuses --db given as a flag', () => {
      const c = config({}, { amnesia: true, db: '/var/lib/registry' });
      expect(() => checkAmnesia(c, () => 'xfs')).toThrowRegistryError('BadRequest', 'xfs');
    });
  });

  describe('when REGISTRY_DB is not set explicitly or AMNESIA is off', () => {
    it('does not look at the filesystem', () => {
      const never = (): string => {
        throw new Error('fsType must not be called');
      };
      expect(() => checkAmnesia(amnesic({}), never)).not.toThrow();
      expect(() => checkAmnesia(config({ REGISTRY_DB: '/var/lib/registry' }), never)).not.toThrow();
    });
  });
});

describe('fsTypeOf', () => {
  const MOUNTS = [
    '/dev/vda1 / ext4 rw,relatime 0 0',
    'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0',
    'tmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0',
    'tmpfs /run tmpfs rw,nosuid,nodev,mode=755 0 0',
    '/dev/vdb /var/lib xfs rw,relatime 0 0',
    'tmpfs /var/lib/registry\\040ram tmpfs rw 0 0',
    '/dev/vdc /mnt/data btrfs rw 0 0',
    '',
  ].join('\n');

  describe('when a mount point holds the path', () => {
    it.each([
      ['/', 'ext4'],
      ['/home/user/db', 'ext4'],
      ['/dev/shm', 'tmpfs'],
      ['/dev/shm/registry/new', 'tmpfs'],
      ['/run/registry', 'tmpfs'],
      ['/var/lib/registry', 'xfs'],
      ['/var/lib/registry ram/db', 'tmpfs'],
      ['/mnt/data/x', 'btrfs'],
    ] as const)('%s is on %s (the longest mount-point prefix)', (path, type) => {
      expect(fsTypeOf(path, MOUNTS)).toBe(type);
    });

    it('matches whole path components only', () => {
      expect(fsTypeOf('/dev/shmem', MOUNTS)).toBe('ext4');
      expect(fsTypeOf('/running', MOUNTS)).toBe('ext4');
    });

    it('resolves relative paths and dot segments first', () => {
      expect(fsTypeOf('/dev/shm/../../var/lib/x', MOUNTS)).toBe('xfs');
      expect(fsTypeOf('/tmp/../dev/shm', MOUNTS)).toBe('tmpfs');
    });
  });

  describe('when /proc/mounts cannot be read or holds nothing usable', () => {
    it('answers undefined', () => {
      expect(fsTypeOf('/dev/shm', '')).toBeUndefined();
      expect(fsTypeOf('/dev/shm', 'garbage\n\n')).toBeUndefined();
    });
  });

  describe('when reading the real /proc/mounts', () => {
    it('answers a filesystem type for /', () => {
      expect(fsTypeOf('/')).toEqual(expect.any(String));
    });
  });
});

describe('parseConfig with empty values', () => {
  it('treats an empty PROPOSAL_TTL and LOG_LEVEL as unset, like every other setting', () => {
    const c = parseConfig({ MACAROON_ROOT_KEY: 'ab'.repeat(32), PROPOSAL_TTL: '', LOG_LEVEL: '' });
    expect(c.proposalTtlMs).toBe(86_400_000);
    expect(c.logLevel).toBe('info');
  });

  it('refuses a MIRROR_OF that is not a whole http(s) URL', () => {
    for (const bad of ['http://a b', 'ftp://upstream', 'http://']) {
      expect(() => parseConfig({ MACAROON_ROOT_KEY: 'ab'.repeat(32), MIRROR_OF: bad })).toThrow(/MIRROR_OF/);
    }
  });
});
