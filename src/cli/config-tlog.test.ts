import { describe, expect, it } from 'vitest';
import { generateSigningKey } from '../core/index.js';
import { encodeVkey, encodeWitnessVkey, SIG_TYPE_ED25519 } from '../core/tlog/index.js';
import { parseTlogConfig } from './config-tlog.js';

const logVkey = encodeVkey('example.com/log', SIG_TYPE_ED25519, generateSigningKey().publicKey);
const witnessVkey = encodeWitnessVkey('example.com/w1', generateSigningKey().publicKey);

describe('parseTlogConfig', () => {
  it('reads WITNESSES as <vkey>@<url> and WITNESS_QUORUM up to their count', () => {
    const c = parseTlogConfig(
      {
        WITNESSES: `${witnessVkey}@http://127.0.0.1:9/v1/registry/log/witness/`,
        WITNESS_QUORUM: '1',
        CHECKPOINT_INTERVAL: '2s',
      },
      false,
    );
    expect(c.witnesses).toEqual([{ vkey: witnessVkey, url: 'http://127.0.0.1:9/v1/registry/log/witness' }]);
    expect(c.witnessQuorum).toBe(1);
    expect(c.checkpointIntervalMs).toBe(2000);
  });

  it.each([
    [{ LOG_ORIGIN: 'has space' }, /LOG_ORIGIN/],
    [{ CHECKPOINT_INTERVAL: 'soon' }, /CHECKPOINT_INTERVAL/],
    [{ CHECKPOINT_INTERVAL: '10ms' }, /CHECKPOINT_INTERVAL/],
    [{ WITNESS_QUORUM: '1' }, /WITNESS_QUORUM/],
    [{ WITNESSES: 'nope' }, /WITNESSES/],
    [{ WITNESSES: `${logVkey}@http://x` }, /cosignature/],
    [{ WITNESSES: `${witnessVkey}@ftp://x` }, /http/],
    [{ WITNESS_NAME: 'w' }, /WITNESS_NAME is set but WITNESS_KEY/],
    [{ WITNESS_LOGS: logVkey }, /WITNESS_LOGS is set but WITNESS_KEY/],
    [{ WITNESS_KEY: '/k.pem' }, /WITNESS_LOGS names no log/],
    [{ WITNESS_KEY: '/k.pem', WITNESS_LOGS: witnessVkey }, /not a log vkey/],
  ])('refuses %j with one line (exit 2)', (env, message) => {
    expect(() => parseTlogConfig(env, false)).toThrow(message);
  });

  it('lets a mirror witness its upstream without WITNESS_LOGS', () => {
    expect(parseTlogConfig({ WITNESS_KEY: '/k.pem' }, true).witnessKey).toBe('/k.pem');
  });
});
