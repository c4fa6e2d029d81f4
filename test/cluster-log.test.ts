import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateKeyPem } from '../src/cli/key-file.js';
import { generateSigningKey } from '../src/core/index.js';
import { hasNatsServer, type NatsServer, startNats } from './fixtures/nats-server.js';
import { KEYS, proposalBody, servicePayload, tempDir } from './helpers/fixtures.js';
import { ALL_SCOPES, startTestServer } from './helpers/server.js';

/**
 * SPEC §13 in cluster mode: instances share LOG_KEY and the log, so for one size they sign one
 * root, and (the note has no timestamp, Ed25519 is deterministic) the very same bytes.
 */
let nats: NatsServer;
const keys = tempDir('registry-cluster-log-');

beforeAll(async () => {
  if (hasNatsServer) nats = await startNats();
}, 30_000);
afterAll(async () => {
  await nats?.stop();
  keys.cleanup();
});

async function until(url: string, v: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${url}/v1/registry/version`);
    if (((await res.json()) as { version: number }).version >= v) return;
    if (Date.now() > deadline) throw new Error(`${url} did not reach ${v}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!hasNatsServer)('the transparency log in cluster mode', () => {
  it('gives both instances the same tree, tiles and checkpoint bytes at each size', async () => {
    const path = join(keys.path, 'log.pem');
    writeFileSync(path, privateKeyPem(generateSigningKey()), { mode: 0o600 });
    const env = {
      REGISTRY_BACKEND: 'nats',
      NATS_URL: nats.url,
      NATS_STREAM: `tlog${process.pid}`,
      LOG_LEVEL: 'warn',
      LOG_KEY: path,
      LOG_ORIGIN: 'example.test/cluster',
    };
    const a = await startTestServer(env);
    const b = await startTestServer(env);
    try {
      const token = a.token(ALL_SCOPES);
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const applies = Array.from({ length: 30 }, async (_, i) => {
        const url = i % 2 === 0 ? a.url : b.url;
        const p = await fetch(`${url}/v1/registry/proposals`, {
          method: 'POST',
          headers,
          body: JSON.stringify(proposalBody(servicePayload(`svc-${i}`), KEYS.slice(0, 2))),
        });
        const { proposal_id } = (await p.json()) as { proposal_id: string };
        const r = await fetch(`${url}/v1/registry/apply/${proposal_id}`, { method: 'POST', headers });
        const body = (await r.json()) as { version: number; checkpoint: { size: number } };
        expect(body.checkpoint.size).toBeGreaterThanOrEqual(body.version);
      });
      await Promise.all(applies);
      await until(a.url, 31);
      await until(b.url, 31);
      const [ca, cb] = await Promise.all(
        [a.url, b.url].map(async (u) => (await fetch(`${u}/v1/registry/log/checkpoint`)).text()),
      );
      expect(ca?.startsWith('example.test/cluster\n31\n')).toBe(true);
      expect(cb).toBe(ca);
      const [ta, tb] = await Promise.all(
        [a.url, b.url].map(async (u) =>
          Buffer.from(await (await fetch(`${u}/v1/registry/log/tile/entries/000.p/31`)).arrayBuffer()),
        ),
      );
      expect(ta?.equals(tb as Buffer)).toBe(true);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
