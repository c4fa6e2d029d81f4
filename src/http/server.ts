import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { RegistryError } from '../core/index.js';
import type { AppDeps, AppEnv } from './app.types.js';
import { envelopeOf } from './envelope.js';
import { headFastLane } from './fast-lane.js';
import { requestIdFor } from './request-id.js';
import { validateFastLane } from './validate-lane.js';

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
  // requireHostHeader off: a request without Host gets the SPEC envelope from requestHandler, not node's bare 400.
  const server = createServer({ keepAliveTimeout: 65_000, requireHostHeader: false }, handler);
  server.on('clientError', answerClientError);
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
            // Streams (SSE) end when the engine closes its subscriptions, which leaves their
            // keep-alive sockets idle after the one closeIdleConnections() of close(): sweep
            // again until the server has closed, and give stragglers a bound.
            const sweep = setInterval(() => server.closeIdleConnections(), 25).unref();
            const bound = setTimeout(() => server.closeAllConnections(), 5000).unref();
            server.close(() => {
              clearInterval(sweep);
              clearTimeout(bound);
              done();
            });
            server.closeIdleConnections();
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
  const validate = validateFastLane(deps);
  const slow = getRequestListener(app.fetch);
  return (req, res) => {
    // While shutting down, a client retrying over a keep-alive socket (a watcher
    // reconnecting with backoff) would keep it busy until the 5 s straggler bound; closing
    // each connection after its answer lets close() finish as soon as requests drain.
    if (deps.state.shuttingDown) res.setHeader('connection', 'close');
    if (fast(req, res) || validate(req, res)) return;
    // The node adapter cannot build a URL without a Host and answers a bare 400 (fuzz finding).
    if (req.headers.host === undefined || req.headers.host === '') {
      const { requestId, body } = badRequestEnvelope('missing Host header');
      res.writeHead(400, {
        'content-type': JSON_TYPE,
        'content-length': Buffer.byteLength(body),
        'x-request-id': requestId,
        connection: 'close',
      });
      res.end(body);
      return;
    }
    void slow(req, res);
  };
}

/**
 * SPEC §5 envelope on every non-2xx, even for a request node's parser refuses before any
 * handler runs (bad request line, header bytes or framing, headers over node's limit):
 * node's default answer is a bare 400 or 431 with no X-Request-Id and no SPEC code.
 * Attacker-controlled input; found by the http fuzz target.
 */
function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  // As node's own handler: nothing can be written once a response on this socket has begun.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  const { requestId, body } = badRequestEnvelope(
    err.code === 'HPE_HEADER_OVERFLOW' ? 'request head over the server limit' : 'malformed HTTP request',
  );
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** A BadRequest envelope for requests answered before the app (no incoming id is trusted). */
function badRequestEnvelope(message: string): { requestId: string; body: string } {
  const requestId = requestIdFor(undefined);
  return {
    requestId,
    body: JSON.stringify(envelopeOf(new RegistryError('BadRequest', message), requestId, Date.now())),
  };
}
