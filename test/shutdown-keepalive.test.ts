/**
 * SPEC §8 clean shutdown with watchers on keep-alive sockets: a stream ends when the
 * engine closes, after close() swept the idle sockets once. Answers during shutdown carry
 * `Connection: close` (a watcher reconnecting at once), and idle sockets are swept until
 * the server has closed (a client keeping the socket), so stop() does not wait for the
 * 5 s straggler bound.
 */
import { describe, expect, it } from 'vitest';
import { startTestServer } from './helpers/server.js';

describe('stop() with watchers over keep-alive', () => {
  it('closes each connection answered during shutdown, so a reconnecting watcher does not hold it', async () => {
    const srv = await startTestServer();
    let running = true;
    let connected: () => void = () => undefined;
    const first = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const closeHeaders: Array<string | null> = [];
    const reconnecting = (async () => {
      while (running) {
        try {
          const res = await fetch(`${srv.url}/v1/registry/watch`);
          if (res.status === 503) closeHeaders.push(res.headers.get('connection'));
          connected();
          await res.arrayBuffer(); // a stream: until the server ends it
        } catch {
          // refused once the listener is gone: keep trying, as a watcher does
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await first;
    const started = performance.now();
    await srv.stop();
    const took = performance.now() - started;
    running = false;
    await reconnecting;
    expect(took).toBeLessThan(2500);
    expect(closeHeaders.every((h) => h === 'close')).toBe(true);
  });

  it('closes the keep-alive socket of a stream that ended during shutdown', async () => {
    const srv = await startTestServer();
    const res = await fetch(`${srv.url}/v1/registry/watch`);
    const reader = res.body?.getReader();
    await reader?.read(); // the stream is open
    const draining = (async () => {
      while (!(await reader?.read())?.done) {
        // until the engine ends the stream; the client keeps the socket for reuse
      }
    })();
    const started = performance.now();
    await srv.stop();
    const took = performance.now() - started;
    await draining;
    expect(took).toBeLessThan(2500);
  });
});
