/**
 * SPEC §8 clean shutdown with a watcher that reconnects at once over its keep-alive socket:
 * its stream ends when the engine closes, the socket is then idle only between retries,
 * so answers during shutdown must carry `Connection: close` for stop() not to wait for
 * the 5 s straggler bound.
 */
import { describe, expect, it } from 'vitest';
import { startTestServer } from './helpers/server.js';

describe('stop() with a watcher reconnecting over keep-alive', () => {
  it('closes each connection after its answer and finishes promptly', async () => {
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
});
