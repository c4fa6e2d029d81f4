import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { canonicalJson, type Payload, RegistryError, signPayload } from '../src/core/index.js';
import { type Cluster, openCluster, type StreamLog } from '../src/registry/index.js';
import { openLevelStore, openMemoryStore, type Store } from '../src/store/index.js';
import { NatsLog } from '../src/store/nats/index.js';
import { hasNatsServer, type NatsServer, startNats } from './fixtures/nats-server.js';
import { FakeStreamLog } from './helpers/fake-stream-log.js';
import { GENESIS, KEYS, NOW, publish, servicePayload, tempDir } from './helpers/fixtures.js';

/**
 * Cluster mode when the local store fails a commit (a disk error, EIO): that is no verdict
 * on the stream messages of the failed batch. The follower must not refuse them, must not
 * store a later message in their place, must report the lag and the degraded writes, and
 * must resume from the store's stream cursor so the local log is the stream's, gap-free.
 * Run over an in-process fake of the shared log and, when installed, a real nats-server.
 */

/** Makes the next `n` store commits fail as a broken disk would. */
function injectFaults(store: Store): { arm(n?: number): void } {
  let armed = 0;
  const real = store.append.bind(store);
  store.append = async (appends) => {
    if (armed > 0) {
      armed -= 1;
      throw new RegistryError('StoreUnavailable', 'injected: EIO, i/o error');
    }
    return real(appends);
  };
  return {
    arm(n = 1) {
      armed = n;
    },
  };
}

/** A stream message no instance may take: one signature where the threshold is two. */
function forgery(payload: Payload): Uint8Array {
  const signatures = [signPayload(payload, KEYS[0], NOW)];
  return Buffer.from(canonicalJson({ ...payload, signatures }), 'utf8');
}

interface LogKit {
  open(): Promise<StreamLog & { close?(): Promise<void> }>;
  /** Appends a raw message to the stream, as a hostile writer could. */
  inject(log: StreamLog, id: string, bytes: Uint8Array): Promise<void>;
}

let nats: NatsServer | undefined;
let streamNo = 0;
beforeAll(async () => {
  if (hasNatsServer) nats = await startNats();
}, 30_000);
afterAll(async () => {
  await nats?.stop();
});

const fake: LogKit = {
  open: async () => new FakeStreamLog(),
  inject: async (log, id, bytes) => {
    (log as FakeStreamLog).append(id, bytes, 'hostile', NOW);
  },
};

const real: LogKit = {
  open: () =>
    NatsLog.open({
      servers: [nats?.url ?? ''],
      stream: `f${process.pid}x${++streamNo}`,
      replicas: 1,
      proposalTtlMs: 24 * 60 * 60 * 1000,
      name: 'cluster-fault test',
    }),
  inject: async (log, id, bytes) => {
    const out = await log.publish(
      { id, bytes, digest: `forged-${id}`, appliedBy: 'hostile', ts: NOW },
      await log.lastSubjectSeq(id),
    );
    expect(out).not.toBe('conflict');
  },
};

describe.each([
  ['an in-process fake of the shared log', fake, true],
  ['a real nats-server', real, hasNatsServer],
] as const)('cluster follower over %s, when the local store fails a commit', (_name, kit, enabled) => {
  it.runIf(enabled)(
    'refuses nothing, stores nothing out of order, reports the lag, and resumes from the store cursor',
    async () => {
      const log = await kit.open();
      const dir = tempDir();
      const opened: Cluster[] = [];
      try {
        const store = await openLevelStore(dir.path);
        const faults = injectFaults(store);
        const refused: number[] = [];
        const seen = { degraded: false, lagged: false };
        let a: Cluster | undefined;
        a = await openCluster(store, log, {
          genesis: GENESIS,
          now: () => NOW,
          resumeMs: 50,
          onRefused: (seq) => refused.push(seq),
          onFollowError: () => {
            // Observed at the fault: degraded writes, and a view that knows it is behind.
            if (a === undefined) return;
            seen.degraded ||= a.registry.writesDegraded;
            seen.lagged ||= a.link.report().lagSeqs > 0;
          },
        });
        opened.push(a);
        const b = await openCluster(await openMemoryStore(), log, { genesis: GENESIS, now: () => NOW });
        opened.push(b);

        faults.arm(1);
        // Two applies at once (stream seqs 2 and 3, likely one local batch), then a third (seq 4).
        await Promise.all([
          publish(b.registry, servicePayload('svc.a')),
          publish(b.registry, servicePayload('svc.b')),
        ]);
        await publish(b.registry, servicePayload('svc.c'));
        // A forgery (seq 5) every instance refuses, then a fault on the next good message (seq 6):
        // the resumed follow refuses seq 5 again, and counts it once.
        await kit.inject(log, 'svc.x', forgery(servicePayload('svc.x')));
        faults.arm(1);
        await publish(b.registry, servicePayload('svc.d'));

        await vi.waitFor(
          () => {
            const r = a?.link.report();
            expect(r).toMatchObject({ processed: 6, lagSeqs: 0 });
          },
          { timeout: 15_000, interval: 20 },
        );
        expect(seen).toEqual({ degraded: true, lagged: true });
        expect(refused).toEqual([5]);
        expect(a.link.report().refused).toBe(1);
        expect(a.registry.writesDegraded).toBe(false);
        expect(a.registry.version).toBe(5);
        expect(await store.streamSeq()).toBe(6);
        // The local log is the healthy instance's, entry for entry (so /watch agrees).
        const want = (await b.registry.store.log(0, 100)).map((e) => [e.seq, e.descriptor_id, e.digest]);
        expect(want.map(([, id]) => id)).toEqual(
          ['governance', 'svc.a', 'svc.b', 'svc.c', 'svc.d'].sort(byStream(want)),
        );
        expect((await store.log(0, 100)).map((e) => [e.seq, e.descriptor_id, e.digest])).toEqual(want);

        // After a restart the view is still the stream's: no gap to carry forward.
        await a.close();
        opened.splice(opened.indexOf(a), 1);
        const again = await openCluster(await openLevelStore(dir.path), log, {
          genesis: GENESIS,
          now: () => NOW,
        });
        opened.push(again);
        expect(again.registry.version).toBe(5);
        expect(
          (await again.registry.store.log(0, 100)).map((e) => [e.seq, e.descriptor_id, e.digest]),
        ).toEqual(want);
        expect(again.link.report()).toMatchObject({ processed: 6, lagSeqs: 0 });
      } finally {
        for (const c of opened) await c.close();
        await log.close?.();
        dir.cleanup();
      }
    },
    30_000,
  );
});

/** svc.a and svc.b race for seqs 2 and 3: order the expected ids as the stream has them. */
function byStream(log: ReadonlyArray<ReadonlyArray<string | number>>) {
  const order = new Map(log.map((e, i) => [e[1], i]));
  return (x: string, y: string) => (order.get(x) ?? 0) - (order.get(y) ?? 0);
}
