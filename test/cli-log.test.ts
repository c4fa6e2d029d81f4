import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateKeyPem } from '../src/cli/key-file.js';
import { generateSigningKey } from '../src/core/index.js';
import { encodeVkey, encodeWitnessVkey, parseTlogProof, SIG_TYPE_ED25519 } from '../src/core/tlog/index.js';
import { defaultWitnessName, type Registry } from '../src/registry/index.js';
import { cli } from './helpers/cli-inproc.js';
import { KEYS, proposalBody, servicePayload, tempDir } from './helpers/fixtures.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const ORIGIN = 'example.test/cli-log';
const key = generateSigningKey();
const vkey = encodeVkey(ORIGIN, SIG_TYPE_ED25519, key.publicKey);
const dir = tempDir('registry-cli-log-');
let srv: TestServer;
let env: Record<string, string>;

beforeAll(async () => {
  writeFileSync(join(dir.path, 'log.pem'), privateKeyPem(key), { mode: 0o600 });
  srv = await startTestServer({ LOG_KEY: join(dir.path, 'log.pem'), LOG_ORIGIN: ORIGIN });
  const r = srv.running.state.registry as Registry;
  await Promise.all(
    Array.from({ length: 260 }, async (_, i) => {
      const { proposal_id } = await r.propose(proposalBody(servicePayload(`svc-${i}`), KEYS.slice(0, 2)));
      return r.apply(proposal_id, 'bulk');
    }),
  );
  env = { REGISTRY_URL: srv.url };
});
afterAll(async () => {
  await srv.stop();
  dir.cleanup();
});

describe('registry log checkpoint', () => {
  it('prints the signed note, and its fields verified with --json --key', async () => {
    const r = await cli(['log', 'checkpoint', '--key', vkey, '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ origin: ORIGIN, size: 261, verified: true });
    const wrong = encodeVkey(ORIGIN, SIG_TYPE_ED25519, generateSigningKey().publicKey);
    expect((await cli(['log', 'checkpoint', '--key', wrong], env)).code).toBe(1);
  });
});

describe('registry log proof and log verify', () => {
  it('writes a tlog-proof carrying the leaf, which verifies offline, and refuses a tampered one', async () => {
    const out = join(dir.path, 'p.txt');
    expect((await cli(['log', 'proof', '--seq', '258', '--out', out], env)).code).toBe(0);
    expect(parseTlogProof(readFileSync(out, 'utf8')).index).toBe(257);
    const ok = await cli(['log', 'verify', '--proof', out, '--key', vkey, '--json'], {});
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ verified: true, seq: 258, size: 261 });
    const text = readFileSync(out, 'utf8');
    const lines = text.split('\n');
    // Swap one proof hash for another: the inclusion no longer verifies.
    const bad = [...lines.slice(0, 3), lines[4], lines[3], ...lines.slice(5)].join('\n');
    writeFileSync(join(dir.path, 'bad.txt'), bad);
    expect((await cli(['log', 'verify', '--proof', join(dir.path, 'bad.txt'), '--key', vkey], {})).code).toBe(
      1,
    );
  });
});

describe('registry log audit', () => {
  it('rebuilds the whole tree from the bundles and matches the signed root', async () => {
    const r = await cli(['log', 'audit', '--key', vkey, '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, size: 261 });
  });
});

describe('registry log vkey and witness-key', () => {
  it('print the vkeys clients and logs configure', async () => {
    const r = await cli(['log', 'vkey', '--key', join(dir.path, 'log.pem')], env);
    expect(r.stdout.trim()).toBe(vkey);
    const w = generateSigningKey();
    writeFileSync(join(dir.path, 'w.pem'), privateKeyPem(w), { mode: 0o600 });
    const wk = await cli(['log', 'witness-key'], { WITNESS_KEY: join(dir.path, 'w.pem') });
    expect(wk.stdout.trim()).toBe(encodeWitnessVkey(defaultWitnessName(w.publicKey), w.publicKey));
  });
});
