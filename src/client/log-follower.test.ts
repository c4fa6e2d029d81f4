import { describe, expect, it } from 'vitest';
import { RegistryError } from '../core/index.js';
import type { RegistryClient } from './client.js';
import type { WatchItem, WatchOptions } from './client.types.js';
import { asRegistryError, type FollowHandler, LogFollower, TRANSPORT_CODES } from './log-follower.js';

/** A `/watch` whose connections are scripted: each yields its items, then ends or throws. */
function scriptedClient(sessions: Array<{ items: WatchItem[]; fail?: unknown }>) {
  const calls: number[] = [];
  const client = {
    async *watch(opts: WatchOptions = {}) {
      calls.push(opts.since ?? 0);
      const s = sessions.shift();
      if (s === undefined) {
        // Nothing more scripted: stay open until aborted.
        await new Promise<void>((r) => opts.signal?.addEventListener('abort', () => r()));
        return;
      }
      for (const item of s.items) yield item;
      if (s.fail !== undefined) throw s.fail;
    },
  };
  return { client: client as unknown as RegistryClient, calls };
}

const progress = (v: number): WatchItem => ({ type: 'progress', registryVersion: v });

describe('LogFollower', () => {
  it('resumes each connection from the handler, hands items over in order, and reports why each ended', async () => {
    const { client, calls } = scriptedClient([
      { items: [progress(1), progress(2)] },
      { items: [progress(3)], fail: new Error('socket hang up') },
      { items: [], fail: new RegistryError('BadRequest', 'malformed event') },
    ]);
    let since = 0;
    const seen: number[] = [];
    const ended: unknown[] = [];
    let done: () => void = () => undefined;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    const handler: FollowHandler = {
      since: () => since,
      item: (item) => {
        if (item.type === 'progress') {
          seen.push(item.registryVersion);
          since = item.registryVersion;
        }
      },
      ended: (why) => {
        ended.push(why);
        if (ended.length === 3) {
          done();
          return undefined; // stop
        }
        return 0;
      },
    };
    const f = new LogFollower(client, handler);
    f.start();
    await finished;
    await f.close();
    expect(calls).toEqual([0, 2, 3]);
    expect(seen).toEqual([1, 2, 3]);
    expect(ended[0]).toBeUndefined(); // the server closed the stream
    expect((ended[1] as Error).message).toBe('socket hang up');
    expect(ended[2]).toBeInstanceOf(RegistryError);
  });

  it('ends a connection with the reason a handler aborts it with', async () => {
    const { client } = scriptedClient([{ items: [progress(1), progress(2)] }]);
    const why = new RegistryError('BadSignature', 'refused');
    const ended = await new Promise<unknown>((resolve) => {
      new LogFollower(client, {
        since: () => 0,
        item: (_item, session) => session.abort(why),
        ended: (w) => {
          resolve(w);
          return undefined;
        },
      }).start();
    });
    expect(ended).toBe(why);
  });
});

describe('asRegistryError', () => {
  it('keeps a RegistryError and makes anything else a retryable StoreUnavailable', () => {
    const e = new RegistryError('NotFound', 'gone');
    expect(asRegistryError(e, 'x')).toBe(e);
    const wrapped = asRegistryError(new TypeError('fetch failed'), 'fetching seq 3');
    expect(wrapped.code).toBe('StoreUnavailable');
    expect(wrapped.message).toBe('fetching seq 3: fetch failed');
    expect(TRANSPORT_CODES.has(wrapped.code)).toBe(true);
  });
});
