import { describe, expect, it, vi } from 'vitest';
import {
  canonicalJson,
  isRegistryError,
  type Payload,
  RegistryError,
  signPayload,
} from '../src/core/index.js';
import { type Cluster, openCluster } from '../src/registry/index.js';
import { openMemoryStore, type StreamMessage } from '../src/store/index.js';
import { FakeStreamLog } from './helpers/fake-stream-log.js';
import { GENESIS, KEYS, NOW, publish, servicePayload } from './helpers/fixtures.js';

/**
 * Cluster mode under failover (issue 22), over an in-process fake of the shared log: a
 * follower that stops delivering while the stream-state request of the watchdog hangs, a
 * writer on a lagging instance, two messages that both took one id's version, and a
 * start-up whose NATS steps fail transiently.
 */

/** The fake log with the faults a failover brought: a follow that goes silent, a hung request, a failing one. */
class FaultyLog extends FakeStreamLog {
  /** Follows (numbered from 1 in creation order) that deliver nothing any more: orphaned by a leader change. */
  readonly silenced = new Set<number>();
  /** The next `lastSeq` never answers (a stream-info request lost in a leader change). */
  hangNextLastSeq = false;
  /** `lastSeq` fails as a NATS timeout does, this many more times. */
  failLastSeq = 0;
  /** `follow` fails as a NATS timeout does, this many more times. */
  failFollow = 0;
  follows = 0;

  override async lastSeq(): Promise<number> {
    if (this.hangNextLastSeq) {
      this.hangNextLastSeq = false;
      return new Promise<number>(() => undefined);
    }
    if (this.failLastSeq > 0) {
      this.failLastSeq -= 1;
      throw new RegistryError('StoreUnavailable', 'NATS: failed to read the stream state: timeout');
    }
    return super.lastSeq();
  }

  override async follow(fromSeq: number, onMessage: (m: StreamMessage) => unknown) {
    if (this.failFollow > 0) {
      this.failFollow -= 1;
      throw new RegistryError('StoreUnavailable', 'NATS: failed to follow the stream: timeout');
    }
    const n = ++this.follows;
    return super.follow(fromSeq, (m) => (this.silenced.has(n) ? undefined : onMessage(m)));
  }
}

/** A's first follow: A opens first (`withClusters`). */
const A_FIRST_FOLLOW = 1;

function signed(payload: Payload, keys = KEYS.slice(0, 2)): Uint8Array {
  const signatures = keys.map((k) => signPayload(payload, k, NOW));
  return Buffer.from(canonicalJson({ ...payload, signatures }), 'utf8');
}

async function withClusters(
  log: FakeStreamLog,
  run: (a: Cluster, b: Cluster, errors: string[]) => Promise<void>,
  aOpts: Parameters<typeof openCluster>[2] extends infer O ? Partial<O> : never = {},
): Promise<void> {
  const errors: string[] = [];
  const a = await openCluster(await openMemoryStore(), log, {
    genesis: GENESIS,
    now: () => NOW,
    onFollowError: (err) => errors.push(String((err as Error).message)),
    ...aOpts,
  });
  const b = await openCluster(await openMemoryStore(), log, { genesis: GENESIS, now: () => NOW });
  try {
    await run(a, b, errors);
  } finally {
    await a.close();
    await b.close();
  }
}

describe('cluster follower after a leader change', () => {
  it('replaces a follower that stands still even when the watchdog request hangs', async () => {
    const log = new FaultyLog();
    await withClusters(
      log,
      async (a, b, errors) => {
        // A's follow goes silent, and its next stream-state request hangs for good.
        log.silenced.add(A_FIRST_FOLLOW);
        log.hangNextLastSeq = true;
        await publish(b.registry, servicePayload('svc.a'));
        await publish(b.registry, servicePayload('svc.b'));
        // The hung request never answers: only a bounded check lets A catch up.
        await vi.waitFor(() => expect(a.link.report()).toMatchObject({ processed: 3, lagSeqs: 0 }), {
          timeout: 5_000,
          interval: 10,
        });
        expect(a.registry.version).toBe(3);
        expect(errors.some((e) => /no delivery while \d+ behind the stream/.test(e))).toBe(true);
        expect(log.follows).toBeGreaterThanOrEqual(3); // A's first, B's, A's replacement
      },
      { watchdogMs: 40 },
    );
  });

  it('counts a failed check toward replacing a follower that stands still', async () => {
    const log = new FaultyLog();
    await withClusters(
      log,
      async (a) => {
        log.silenced.add(A_FIRST_FOLLOW);
        // Every stream-state request fails while NATS stays connected; A knows the stream's
        // end from its own publish. Failed checks that did not count would leave it waiting.
        log.failLastSeq = Number.POSITIVE_INFINITY;
        const r = await publish(a.registry, servicePayload('svc.a'));
        expect(r.version).toBe(2);
        expect(a.link.report()).toMatchObject({ processed: 2 });
      },
      { watchdogMs: 40, visibleTimeoutMs: 10_000 },
    );
  });

  it('answers a write through a lagging instance with a retryable 503 and Retry-After, not a long wait', async () => {
    const log = new FaultyLog();
    await withClusters(
      log,
      async (a) => {
        log.silenced.add(A_FIRST_FOLLOW);
        const err = await publish(a.registry, servicePayload('svc.a')).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isRegistryError(err, 'StoreUnavailable')).toBe(true);
        expect(isRegistryError(err) && err.retryAfterSeconds).toBe(2);
        expect(isRegistryError(err) && err.status).toBe(503);
        // The publish is durable: once A follows again, it serves it.
        expect(log.messages.length).toBe(2);
      },
      // No replacement during the test: the view stays behind.
      { watchdogMs: 600_000, visibleTimeoutMs: 50 },
    );
  });
});

describe('cluster start-up on a NATS cluster that answers slowly', () => {
  it('retries transient failures of its NATS steps, and still refuses another genesis', async () => {
    const log = new FaultyLog();
    log.failLastSeq = 3;
    log.failFollow = 2;
    const retries: string[] = [];
    const a = await openCluster(await openMemoryStore(), log, {
      genesis: GENESIS,
      now: () => NOW,
      retryMs: 1,
      onRetry: (err) => retries.push((err as Error).message),
    });
    try {
      expect(a.registry.version).toBe(1);
      expect(retries.length).toBe(5);
    } finally {
      await a.close();
    }
    const other = { signers: KEYS.slice(2, 5).map((k) => k.signerId), threshold: 2 };
    await expect(
      openCluster(await openMemoryStore(), log, { genesis: other, now: () => NOW, retryMs: 1 }),
    ).rejects.toMatchObject({ code: 'BadRequest' });
  });
});

describe('cluster follower over two messages that took one id version', () => {
  it('counts a lost race apart from a refusal, and refuses a forgery of the same version', async () => {
    const log = new FakeStreamLog();
    const refused: number[] = [];
    const raced: number[] = [];
    await withClusters(
      log,
      async (a, b) => {
        const winner = servicePayload('svc.a');
        const loser = servicePayload('svc.a', 1, null, { ts: NOW + 1 });
        // Both conditional publishes entered the stream (nats-server 2.9.10 let both through).
        log.append('svc.a', signed(winner), 'w', NOW);
        log.append('svc.a', signed(loser), 'l', NOW);
        // The same version once more, with one signature where the quorum is two: a forgery.
        log.append('svc.a', signed(servicePayload('svc.a', 1, null, { ts: NOW + 2 }), [KEYS[0]]), 'f', NOW);
        await vi.waitFor(() => expect(a.link.report()).toMatchObject({ processed: 4, lagSeqs: 0 }), {
          timeout: 5_000,
          interval: 10,
        });
        expect(raced).toEqual([3]);
        expect(refused).toEqual([4]);
        expect(a.link.report()).toMatchObject({ refused: 1, races: 1 });
        // /version counts accepted entries: genesis and the winner.
        expect(a.registry.version).toBe(2);
        await vi.waitFor(() => expect(b.registry.version).toBe(2));
        expect(b.link.report()).toMatchObject({ refused: 1, races: 1 });
        expect(a.registry.snapshot.get('svc.a')?.version).toBe(1);
      },
      { onRefused: (seq) => refused.push(seq), onRaced: (seq) => raced.push(seq) },
    );
  });
});
