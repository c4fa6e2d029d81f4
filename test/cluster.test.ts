import { jetstream } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/cli/config.js';
import { serve } from '../src/cli/serve.js';
import { type Payload, signPayload } from '../src/core/index.js';
import { hasNatsServer, type NatsServer, startNats, startNatsCluster } from './fixtures/nats-server.js';
import { GENESIS, KEYS, NOW, proposalBody, servicePayload, tempDir } from './helpers/fixtures.js';
import { skipWithout } from './helpers/require-tool.js';
import { ALL_SCOPES, ROOT_KEY, startTestServer, type TestServer } from './helpers/server.js';
import { collect } from './helpers/sse.js';

/** Skips only outside CI and npm test (test/helpers/require-tool.ts). */
const noNats = skipWithout('nats-server', { present: hasNatsServer });

/**
 * Cluster mode (REGISTRY_BACKEND=nats) against a real nats-server started by the suite:
 * two instances over one JetStream stream, driven only through HTTP.
 */

let nats: NatsServer;
let streamNo = 0;

beforeAll(async () => {
  if (!noNats) nats = await startNats();
}, 30_000);
afterAll(async () => {
  await nats?.stop();
});

function clusterEnv(stream: string, extra: Record<string, string> = {}): Record<string, string> {
  return { REGISTRY_BACKEND: 'nats', NATS_URL: nats.url, NATS_STREAM: stream, LOG_LEVEL: 'warn', ...extra };
}

async function pair(): Promise<{ a: TestServer; b: TestServer; stream: string; token: string }> {
  const stream = `t${process.pid}x${++streamNo}`;
  const a = await startTestServer(clusterEnv(stream));
  const b = await startTestServer(clusterEnv(stream));
  return { a, b, stream, token: a.token(ALL_SCOPES) };
}

async function call(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1/registry${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function propose(url: string, token: string, payload: Payload, keys = [KEYS[0], KEYS[1]]) {
  const r = await call(url, token, 'POST', '/proposals', proposalBody(payload, keys));
  expect(r.status).toBe(202);
  return r.json.proposal_id as string;
}

async function version(url: string): Promise<number> {
  return ((await (await fetch(`${url}/v1/registry/version`)).json()) as { version: number }).version;
}

async function readyz(url: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${url}/readyz`)).json()) as Record<string, unknown>;
}

/** Waits (bounded) until the instance's view reaches `v`: followers are asynchronous. */
async function until(url: string, v: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await version(url)) < v) {
    if (Date.now() > deadline) throw new Error(`${url} did not reach version ${v}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(noNats)('cluster mode over one nats-server', () => {
  it('proposes on A, co-signs on B, applies on A, and B reads and watches it', async () => {
    const { a, b, token } = await pair();
    try {
      expect(await version(a.url)).toBe(1);
      expect(await version(b.url)).toBe(1);
      const payload = servicePayload('svc-web.eu-west-1');
      const pid = await propose(a.url, token, payload, [KEYS[0]]);
      const seen = await call(b.url, token, 'GET', `/proposals/${pid}`);
      expect(seen.json).toMatchObject({ proposal_id: pid, status: 'pending' });
      const co = await call(b.url, token, 'POST', `/proposals/${pid}/signatures`, {
        signatures: [signPayload(payload, KEYS[1], NOW)],
      });
      expect(co).toMatchObject({ status: 202, json: { status: 'ready', signatures: 2 } });
      const watching = fetch(`${b.url}/v1/registry/watch?since=1`);
      const applied = await call(a.url, token, 'POST', `/apply/${pid}`);
      expect(applied).toMatchObject({
        status: 200,
        json: { version: 2, descriptor_id: payload.id, digest: pid },
      });
      // Read-your-writes on A, then B's view follows.
      expect((await fetch(`${a.url}/v1/registry/descriptors/${payload.id}`)).status).toBe(200);
      await until(b.url, 2);
      const onB = await fetch(`${b.url}/v1/registry/descriptors/${payload.id}`);
      expect(onB.headers.get('etag')).toBe(`"${pid}"`);
      const onA = await fetch(`${a.url}/v1/registry/descriptors/${payload.id}`);
      expect(Buffer.from(await onB.arrayBuffer())).toEqual(Buffer.from(await onA.arrayBuffer()));
      const events = await collect(await watching, (ms) => ms.some((m) => m.id === '2'));
      const published = events.find((m) => m.id === '2');
      expect(published?.event).toBe('published');
      expect(JSON.parse(published?.data ?? '{}')).toMatchObject({
        subject: payload.id,
        data: { descriptor_id: payload.id, version: 1, digest: pid, registry_version: 2 },
      });
      // Applying again through the other instance answers the same 200 body.
      const again = await call(b.url, token, 'POST', `/apply/${pid}`);
      expect(again).toEqual(applied);
      const status = await call(b.url, token, 'GET', `/proposals/${pid}`);
      expect(status.json).toMatchObject({ status: 'applied' });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 30_000);

  it('merges co-signatures sent to both instances at once (compare-and-set on the shared proposal)', async () => {
    const { a, b, token } = await pair();
    try {
      for (let round = 0; round < 5; round++) {
        const payload = servicePayload(`svc-cosigned-${round}`);
        const pid = await propose(a.url, token, payload, []);
        const [ra, rb] = await Promise.all([
          call(a.url, token, 'POST', `/proposals/${pid}/signatures`, {
            signatures: [signPayload(payload, KEYS[0], NOW)],
          }),
          call(b.url, token, 'POST', `/proposals/${pid}/signatures`, {
            signatures: [signPayload(payload, KEYS[1], NOW)],
          }),
        ]);
        expect([ra.status, rb.status]).toEqual([202, 202]);
        const merged = await call(b.url, token, 'GET', `/proposals/${pid}`);
        expect(merged.json).toMatchObject({ status: 'ready' });
        expect((merged.json.signatures as unknown[]).length).toBe(2);
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 30_000);

  it('lets exactly one of two concurrent applies of one id win each version; the other gets StaleVersion', async () => {
    const { a, b, token } = await pair();
    try {
      let head: string | null = null;
      for (let v = 1; v <= 5; v++) {
        const pa = await propose(a.url, token, servicePayload('svc-raced', v, head, { ts: NOW + v * 10 }));
        const pb = await propose(
          b.url,
          token,
          servicePayload('svc-raced', v, head, { ts: NOW + v * 10 + 1 }),
        );
        const [ra, rb] = await Promise.all([
          call(a.url, token, 'POST', `/apply/${pa}`),
          call(b.url, token, 'POST', `/apply/${pb}`),
        ]);
        const statuses = [ra.status, rb.status].sort();
        expect(statuses).toEqual([200, 409]);
        const loser = ra.status === 409 ? ra : rb;
        expect((loser.json.error as { code: string }).code).toBe('StaleVersion');
        head = (ra.status === 200 ? ra : rb).json.digest as string;
      }
      await until(a.url, 6);
      await until(b.url, 6);
      const listA = await call(a.url, token, 'GET', '/descriptors');
      const listB = await call(b.url, token, 'GET', '/descriptors');
      expect(listB.json).toEqual(listA.json);
      const historyB = await call(b.url, token, 'GET', '/descriptors/svc-raced/versions');
      expect((historyB.json as unknown as Array<{ version: number }>).map((h) => h.version)).toEqual([
        1, 2, 3, 4, 5,
      ]);
      expect(await version(a.url)).toBe(6);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 30_000);

  it('refuses a forged stream message on every instance, serves nothing of it, and leaves no gap', async () => {
    const { a, b, stream, token } = await pair();
    const nc = await connect({ servers: nats.url });
    try {
      const js = jetstream(nc);
      // Signed by a key outside the allow-list, published straight into the stream.
      const forged = servicePayload('svc-forged');
      const bytes = JSON.stringify({ ...forged, signatures: [signPayload(forged, KEYS[4], NOW)] });
      const h = natsHeaders();
      h.set('Registry-Applied-By', 'intruder');
      await js.publish(`${stream}.d.svc-forged`, bytes, { headers: h });
      await js.publish(`${stream}.d.svc-junk`, 'not json', { headers: h });
      const deadline = Date.now() + 10_000;
      while (((await readyz(b.url)).cluster as { refused: number }).refused < 2) {
        if (Date.now() > deadline) throw new Error('B never refused the forged messages');
        await new Promise((r) => setTimeout(r, 20));
      }
      for (const url of [a.url, b.url]) {
        expect((await fetch(`${url}/v1/registry/descriptors/svc-forged`)).status).toBe(404);
        expect(await version(url)).toBe(1);
        expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/registry_cluster_refused_total 2/);
      }
      // The next apply is version 2 everywhere: the registry version counts accepted entries.
      const pid = await propose(a.url, token, servicePayload('svc-after'));
      expect((await call(a.url, token, 'POST', `/apply/${pid}`)).json).toMatchObject({ version: 2 });
      await until(b.url, 2);
      const events = await collect(await fetch(`${b.url}/v1/registry/watch?since=0`), (ms) =>
        ms.some((m) => m.id === '2'),
      );
      expect(events.filter((m) => m.event !== 'progress').map((m) => m.id)).toEqual(['1', '2']);
    } finally {
      await nc.close();
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 30_000);

  it('resumes an on-disk instance from its cursor after a restart, catching up what it missed', async () => {
    const stream = `t${process.pid}r${++streamNo}`;
    const dir = tempDir();
    const a = await startTestServer(clusterEnv(stream));
    const token = a.token(ALL_SCOPES);
    let b = await startTestServer(clusterEnv(stream, { REGISTRY_DB: dir.path }));
    try {
      await call(a.url, token, 'POST', `/apply/${await propose(a.url, token, servicePayload('svc-one'))}`);
      await until(b.url, 2);
      await b.stop();
      await call(a.url, token, 'POST', `/apply/${await propose(a.url, token, servicePayload('svc-two'))}`);
      await call(a.url, token, 'POST', `/apply/${await propose(a.url, token, servicePayload('svc-three'))}`);
      b = await startTestServer(clusterEnv(stream, { REGISTRY_DB: dir.path }));
      // Ready means caught up: no wait needed.
      expect(await version(b.url)).toBe(4);
      expect((await fetch(`${b.url}/v1/registry/descriptors/svc-three`)).status).toBe(200);
      expect(await readyz(b.url)).toMatchObject({
        ready: true,
        writes: 'ok',
        cluster: { nats: 'connected' },
      });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      dir.cleanup();
    }
  }, 30_000);

  it('refuses to start on a stream with another genesis, or on a standalone store', async () => {
    const { a, b, stream } = await pair();
    await Promise.all([a.stop(), b.stop()]);
    const other = [KEYS[2], KEYS[3], KEYS[4]].map((k) => k.signerId).join(',');
    await expect(startTestServer(clusterEnv(stream, { SIGNER_ALLOWLIST: other }))).rejects.toThrow(
      /does not start with the configured genesis/,
    );
    const dir = tempDir();
    try {
      const standalone = await startTestServer({ REGISTRY_DB: dir.path });
      await standalone.stop();
      await expect(startTestServer(clusterEnv(stream, { REGISTRY_DB: dir.path }))).rejects.toThrow(
        /standalone registry/,
      );
    } finally {
      dir.cleanup();
    }
  }, 30_000);
});

describe.skipIf(noNats)('cluster mode while NATS is unreachable', () => {
  it('keeps serving reads, answers writes 503 StoreUnavailable, and resumes writes when NATS is back', async () => {
    const own = await startNats();
    const env = {
      REGISTRY_BACKEND: 'nats',
      NATS_URL: own.url,
      LOG_LEVEL: 'silent',
      MACAROON_ROOT_KEY: ROOT_KEY,
      SIGNER_ALLOWLIST: GENESIS.signers.join(','),
      SIG_THRESHOLD: String(GENESIS.threshold),
      BIND: '127.0.0.1:0',
      AMNESIA: 'true',
    };
    const running = await serve(parseConfig(env));
    const a = { url: running.url };
    const srv = await startTestServer({ ...env, AMNESIA: 'false' });
    const token = srv.token(ALL_SCOPES);
    await srv.stop();
    try {
      const first = await propose(a.url, token, servicePayload('svc-before'));
      await call(a.url, token, 'POST', `/apply/${first}`);
      const pending = await propose(a.url, token, servicePayload('svc-pending'));
      await own.node.stop('SIGKILL');
      const deadline = Date.now() + 10_000;
      while ((await readyz(a.url)).writes !== 'degraded') {
        if (Date.now() > deadline) throw new Error('writes never degraded');
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await readyz(a.url)).toMatchObject({ ready: true, cluster: { nats: 'reconnecting' } });
      expect((await fetch(`${a.url}/v1/registry/descriptors/svc-before`)).status).toBe(200);
      const refused = await call(
        a.url,
        token,
        'POST',
        '/proposals',
        proposalBody(servicePayload('svc-x'), []),
      );
      expect(refused).toMatchObject({
        status: 503,
        json: { error: { code: 'StoreUnavailable', retryable: true } },
      });
      const apply = await call(a.url, token, 'POST', `/apply/${pending}`);
      expect(apply).toMatchObject({
        status: 503,
        json: { error: { code: 'StoreUnavailable', retryable: true } },
      });
      expect(await version(a.url)).toBe(2);

      await own.node.start();
      const back = Date.now() + 15_000;
      while ((await readyz(a.url)).writes !== 'ok') {
        if (Date.now() > back) throw new Error('writes never came back');
        await new Promise((r) => setTimeout(r, 50));
      }
      const retried = await call(a.url, token, 'POST', `/apply/${pending}`);
      expect(retried).toMatchObject({ status: 200, json: { version: 3 } });
    } finally {
      await running.stop();
      await own.stop();
    }
  }, 60_000);
});

describe.skipIf(noNats)('cluster mode on a 3-node JetStream cluster (R3)', () => {
  it('starts two instances at once on a fresh cluster: one genesis, both ready, applies seen by both', async () => {
    const cluster = await startNatsCluster(3);
    const env = { REGISTRY_BACKEND: 'nats', NATS_URL: cluster.urls, NATS_REPLICAS: '3', LOG_LEVEL: 'warn' };
    const [a, b] = await Promise.all([startTestServer(env), startTestServer(env)]);
    try {
      expect(await version(a.url)).toBe(1);
      expect(await version(b.url)).toBe(1);
      const token = a.token(ALL_SCOPES);
      const pid = await propose(b.url, token, servicePayload('svc-r3@us-east-1'));
      expect((await call(a.url, token, 'POST', `/apply/${pid}`)).json).toMatchObject({ version: 2 });
      await until(b.url, 2);
      expect((await fetch(`${b.url}/v1/registry/descriptors/svc-r3@us-east-1`)).headers.get('etag')).toBe(
        `"${pid}"`,
      );
      const leader = await cluster.streamLeader('registry');
      expect(leader).toBeDefined();
      // SPEC ids with `@` (name@region) cross the cluster's routes intact: no delivery that
      // does not parse as a stream message reaches either follower.
      const pids: string[] = [];
      for (let i = 0; i < 40; i++)
        pids.push(await propose(a.url, token, servicePayload(`svc-${i}@eu-west-1`)));
      await Promise.all(pids.map((p, i) => call(i % 2 === 0 ? a.url : b.url, token, 'POST', `/apply/${p}`)));
      await until(a.url, 42);
      await until(b.url, 42);
      expect(a.logs() + b.logs()).not.toContain('stream follower trouble');
      // A proposal is visible to an apply through the other instance right away (the shared
      // bucket is read through its leader, not a possibly stale replica).
      for (let i = 0; i < 30; i++) {
        const pid = await propose(a.url, token, servicePayload(`svc-fresh-${i}`));
        expect((await call(b.url, token, 'POST', `/apply/${pid}`)).status).toBe(200);
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await cluster.stop();
    }
  }, 90_000);
});

describe.skipIf(noNats)('cluster mode when the NATS node an instance uses is killed', () => {
  it('keeps following the stream through another node (the stalled follower is replaced)', async () => {
    const cluster = await startNatsCluster(3);
    const [n0, n1, n2] = cluster.nodes;
    if (n0 === undefined || n1 === undefined || n2 === undefined) throw new Error('three nodes expected');
    const base = { REGISTRY_BACKEND: 'nats', NATS_REPLICAS: '3', LOG_LEVEL: 'warn' };
    // A knows only n0 at start (it learns the others from the cluster); B only n1 and n2.
    const a = await startTestServer({ ...base, NATS_URL: n0.url });
    const b = await startTestServer({ ...base, NATS_URL: `${n1.url},${n2.url}` });
    try {
      const token = a.token(ALL_SCOPES);
      const first = await propose(b.url, token, servicePayload('svc-before-kill'));
      await call(b.url, token, 'POST', `/apply/${first}`);
      await until(a.url, 2);
      await n0.stop('SIGKILL');
      // Writes through B go on once the stream has a leader (if n0 led it, after an election).
      let applied = 0;
      const deadline = Date.now() + 30_000;
      for (let i = 0; applied < 5 && Date.now() < deadline; i++) {
        try {
          const pid = await propose(b.url, token, servicePayload(`svc-after-kill-${i}`));
          if ((await call(b.url, token, 'POST', `/apply/${pid}`)).status === 200) applied += 1;
        } catch {
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      expect(applied).toBe(5);
      const target = await version(b.url);
      const end = Date.now() + 20_000;
      while ((await version(a.url)) < target) {
        if (Date.now() > end) throw new Error(`A stood at ${await version(a.url)} behind B's ${target}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await fetch(`${a.url}/v1/registry/descriptors/svc-after-kill-4`)).status).toBe(200);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await cluster.stop();
    }
  }, 120_000);
});
