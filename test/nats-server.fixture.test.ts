import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type JetStreamClient, jetstream, jetstreamManager, type PubAck } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { hasNatsServer, startNats, startNatsCluster } from './fixtures/nats-server.js';
import { skipWithout } from './helpers/require-tool.js';

/** Polls until `probe` gives a value, or fails after `timeoutMs`. */
async function eventually<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: nothing after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Publishes once, retried while the stream elects a leader; msgID keeps a retry from duplicating. */
function publishWithin(
  js: JetStreamClient,
  subject: string,
  msgID: string,
  timeoutMs: number,
): Promise<PubAck> {
  return eventually(`publish ${msgID}`, timeoutMs, () =>
    js.publish(subject, msgID, { msgID, timeout: 1000 }).catch(() => undefined),
  );
}

describe.skipIf(skipWithout('nats-server', { present: hasNatsServer }))('nats-server fixture', () => {
  describe('startNats', () => {
    it('serves JetStream: a stream add and a publish, and stop removes its temp dir', async () => {
      const server = await startNats();
      try {
        const nc = await connect({ servers: server.url });
        try {
          const jsm = await jetstreamManager(nc);
          await jsm.streams.add({ name: 'fixture', subjects: ['fixture.>'] });
          const ack = await jetstream(nc).publish('fixture.a', 'one');
          expect(ack).toMatchObject({ stream: 'fixture', seq: 1 });
        } finally {
          await nc.close();
        }
      } finally {
        await server.stop();
      }
      expect(server.node.running).toBe(false);
      expect(existsSync(server.dir)).toBe(false);
    });
  });

  describe('startNatsCluster(3)', () => {
    it('keeps an R3 stream writable after SIGKILL of its leader; the node restarts and catches up', async () => {
      const cluster = await startNatsCluster(3);
      try {
        const nc = await connect({
          servers: cluster.urls.split(','),
          maxReconnectAttempts: -1,
          reconnectTimeWait: 100,
        });
        try {
          const jsm = await jetstreamManager(nc);
          await jsm.streams.add({ name: 'fixture', subjects: ['fixture.>'], num_replicas: 3 });
          const js = jetstream(nc);
          await publishWithin(js, 'fixture.a', 'before', 5000);
          const leader = await eventually('stream leader', 5000, () => cluster.streamLeader('fixture'));
          expect(cluster.nodes).toContain(leader);

          await leader.stop('SIGKILL');
          expect(leader.running).toBe(false);
          const ack = await publishWithin(js, 'fixture.a', 'after', 10_000);
          expect(ack).toMatchObject({ stream: 'fixture', seq: 2, duplicate: false });
          const next = await eventually('new stream leader', 5000, () => cluster.streamLeader('fixture'));
          expect(next.name).not.toBe(leader.name);

          await leader.start();
          await leader.waitHealthy();
          const view = await eventually('restarted replica caught up', 5000, async () => {
            const v = await leader.stream('fixture');
            return v !== undefined && v.lastSeq === 2 ? v : undefined;
          });
          expect(view).toMatchObject({ messages: 2, leader: next.name });
        } finally {
          await nc.close();
        }
      } finally {
        await cluster.stop();
      }
      expect(cluster.nodes.every((node) => !node.running)).toBe(true);
      expect(existsSync(cluster.dir)).toBe(false);
    }, 30_000);
  });
});
