import { connect } from 'node:net';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDeps, AppEnv } from './app.types.js';
import { type Listening, listen, requestHandler } from './server.js';

// Only what the fast lane reads before it hands a request on.
const deps = { readAuth: false, state: { registry: undefined, shuttingDown: false } } as unknown as AppDeps;

/** Sends raw bytes and reads until the server closes. */
function raw(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
    socket.write(bytes);
  });
}

function envelope(response: string) {
  const [head = '', body = ''] = response.split('\r\n\r\n');
  const id = /\r\nx-request-id: (\S+)/i.exec(head)?.[1];
  return {
    status: Number(head.slice(9, 12)),
    id,
    body: JSON.parse(body) as { error: Record<string, unknown> },
  };
}

describe('listen', () => {
  let server: Listening;
  let hostless: Listening;
  beforeAll(async () => {
    server = await listen((_req, res) => res.end('ok'), '127.0.0.1', 0);
    // requestHandler's Host check, with a stand-in app that never runs for these requests.
    hostless = await listen(requestHandler(new Hono<AppEnv>(), deps), '127.0.0.1', 0);
  });
  afterAll(async () => {
    await server.close();
    await hostless.close();
  });

  // Regression seeds of the http fuzz target: node's parser used to answer these with a bare 400/431.
  describe('when node refuses the request before any handler runs', () => {
    it.each([
      [
        'a space in the request-target',
        'GET /v1/registry/descriptors/x/versions/ 1 HTTP/1.1\r\nHost: h\r\n\r\n',
      ],
      ['a control byte in a header value', 'GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u0001b\r\n\r\n'],
      ['headers over node’s limit', `GET / HTTP/1.1\r\nHost: h\r\nX-A: ${'a'.repeat(20_000)}\r\n\r\n`],
      [
        'garbage pipelined after a body',
        'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}}\r\n\r\n',
      ],
    ])('answers %s with the SPEC BadRequest envelope', async (_what, bytes) => {
      const res = envelope(
        (await raw(server.url, bytes))
          .split('HTTP/1.1 ')
          .filter(Boolean)
          .map((r) => `HTTP/1.1 ${r}`)
          .at(-1) ?? '',
      );
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.error).sort()).toEqual([
        'code',
        'hint',
        'message',
        'request_id',
        'retryable',
        'ts',
      ]);
      expect(res.body.error.code).toBe('BadRequest');
      expect(res.body.error.request_id).toBe(res.id);
    });
  });

  describe('when the request has no Host header, or an empty one', () => {
    it.each([
      ['no Host', 'GET /v1/registry/version HTTP/1.1\r\nConnection: close\r\n\r\n'],
      ['an empty Host', 'GET /v1/registry/version HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n'],
    ])('answers %s with the SPEC BadRequest envelope', async (_what, bytes) => {
      const res = envelope(await raw(hostless.url, bytes));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('BadRequest');
      expect(res.body.error.request_id).toBe(res.id);
    });
  });
});
