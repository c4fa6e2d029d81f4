import { describe, expect, it } from 'vitest';
import { AsyncQueue } from './change-queue.js';

describe('AsyncQueue', () => {
  it('hands items to a waiting reader, buffers the rest, and drains them after end()', async () => {
    const q = new AsyncQueue<number>(() => undefined);
    const first = q.next();
    q.push(1);
    q.push(2);
    q.push(3);
    expect(await first).toEqual({ value: 1, done: false });
    q.end();
    q.push(4);
    const rest: number[] = [];
    for await (const n of q) rest.push(n);
    expect(rest).toEqual([2, 3]);
  });

  it('unsubscribes and ends when the reader leaves the loop', async () => {
    let left = 0;
    const q = new AsyncQueue<number>(() => left++);
    q.push(1);
    q.push(2);
    for await (const n of q) if (n === 1) break;
    expect(left).toBe(1);
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });
});
