/**
 * `registry serve`'s command line, in this process (the child-process tests start real
 * servers but their coverage is not measured): every flag reaches the settings, `--help`
 * prints them and exits 0, and a typo'd flag or an invalid setting exits 2 with one line
 * instead of a stack trace (SPEC §8).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../src/cli/config.js';
import { SERVE_HELP, SERVE_OPTIONS, serveCommand, serveFlags } from '../src/cli/serve-command.js';
import { KEYS } from './helpers/fixtures.js';

const ROOT_KEY = 'ab'.repeat(32);

describe('registry serve flags', () => {
  it('maps every flag to its setting', () => {
    const signers = KEYS.slice(0, 3).map((k) => k.signerId);
    expect(
      serveFlags([
        '--bind',
        '127.0.0.1:9500',
        '--db',
        '/var/lib/registry',
        '--sig-threshold',
        '2',
        '--allow-signer',
        signers[0] ?? '',
        '--allow-signer',
        `${signers[1]},${signers[2]}`,
        '--amnesia',
        '--mirror-of',
        'http://upstream:9402',
        '--metrics-addr',
        '127.0.0.1:9501',
        '--log-level',
        'warn',
        '--read-auth',
        '--backend',
        'nats',
        '--nats-url',
        'nats://a:4222,nats://b:4222',
      ]),
    ).toEqual({
      help: false,
      bind: '127.0.0.1:9500',
      db: '/var/lib/registry',
      sigThreshold: '2',
      allowSigner: [signers[0], `${signers[1]},${signers[2]}`],
      amnesia: true,
      mirrorOf: 'http://upstream:9402',
      metricsAddr: '127.0.0.1:9501',
      logLevel: 'warn',
      readAuth: true,
      backend: 'nats',
      natsUrl: 'nats://a:4222,nats://b:4222',
    });
  });

  it('with no flags leaves every setting to the environment', () => {
    expect(serveFlags([])).toEqual({ help: false });
    expect(serveFlags(['-h'])).toEqual({ help: true });
  });

  it('flags override the environment', () => {
    const env = { MACAROON_ROOT_KEY: ROOT_KEY, BIND: '127.0.0.1:7000', LOG_LEVEL: 'info' };
    const config = parseConfig(env, serveFlags(['--bind', '127.0.0.1:7001', '--amnesia']));
    expect(config).toMatchObject({ bind: { host: '127.0.0.1', port: 7001 }, amnesia: true });
  });

  it('documents every setting flag in --help', () => {
    const settings = Object.keys(SERVE_OPTIONS).filter((name) => name !== 'help');
    expect(settings).toHaveLength(11);
    for (const name of settings) expect(SERVE_HELP, name).toContain(`--${name}`);
  });
});

describe('serveCommand', () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => out.push(String(c)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => err.push(String(c)) > 0);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('--help prints the flags and exits 0', async () => {
    expect(await serveCommand(['--help'])).toBe(0);
    expect(out.join('')).toBe(`${SERVE_HELP}\n`);
  });

  it('an unknown flag exits 2 with one line naming it', async () => {
    expect(await serveCommand(['--amnesai'])).toBe(2);
    expect(err.join('')).toMatch(/^registry serve: .*--amnesai.*\n$/);
    expect(err.join('').split('\n')).toHaveLength(2);
  });

  it('an invalid setting exits 2 with one line, before anything listens', async () => {
    vi.stubEnv('MACAROON_ROOT_KEY', '');
    expect(await serveCommand(['--amnesia'])).toBe(2);
    expect(err.join('')).toMatch(/^registry serve: .*MACAROON_ROOT_KEY.*\n$/);
    err.length = 0;
    vi.stubEnv('MACAROON_ROOT_KEY', ROOT_KEY);
    expect(await serveCommand(['--amnesia', '--bind', 'nowhere'])).toBe(2);
    expect(err.join('')).toMatch(/^registry serve: .*BIND.*\n$/);
    expect(err.join('').split('\n')).toHaveLength(2);
  });
});
