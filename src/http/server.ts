import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from './app.types.js';
import { headFastLane } from './fast-lane.js';

export interface Listening {
  readonly server: Server;
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish, then closes idle keep-alive sockets. */
  close(): Promise<void>;
}

export function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  host: string,
  port: number,
): Promise<Listening> {
  const server = createServer({ keepAliveTimeout: 65_000 }, handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({
        server,
        url: `http://${h}:${a.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
            // Streams (SSE) end when the engine closes its subscriptions; give stragglers a bound.
            setTimeout(() => server.closeAllConnections(), 5000).unref();
          }),
      });
    });
  });
}

/** The registry's request handler: the head fast lane, then hono for everything else. */
export function requestHandler(
  app: Hono<AppEnv>,
  deps: AppDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const fast = headFastLane(deps);
  const slow = getRequestListener(app.fetch);
  return (req, res) => {
    if (!fast(req, res)) void slow(req, res);
  };
}
