/**
 * A raw HTTP/1.1 client over one TCP connection per request, so the fuzzer can send what
 * `fetch` and `node:http` refuse to (odd paths, bytes, header values, lying framing).
 */
import { connect } from 'node:net';

export interface RawRequest {
  readonly method: string;
  /** The request-target exactly as written on the wire (latin1). */
  readonly path: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body?: Buffer | undefined;
  /** Send the body as chunks with Transfer-Encoding: chunked. */
  readonly chunked?: boolean;
}

export interface RawResponse {
  readonly status: number;
  /** Lower-cased names; a repeated header keeps its last value. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
  /** The stream (SSE) was cut by the client after its headers. */
  readonly streamed: boolean;
}

export function encodeRequest(req: RawRequest): Buffer[] {
  const lines = [`${req.method} ${req.path} HTTP/1.1`, ...req.headers.map(([k, v]) => `${k}: ${v}`)];
  const head = (extra: string[]) => Buffer.from(`${[...lines, ...extra].join('\r\n')}\r\n\r\n`, 'latin1');
  const body = req.body ?? Buffer.alloc(0);
  if (req.chunked === true) {
    const parts: Buffer[] = [head(['Transfer-Encoding: chunked'])];
    for (let at = 0; at < body.length; at += 4096) {
      const chunk = body.subarray(at, at + 4096);
      parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'), chunk, Buffer.from('\r\n'));
    }
    parts.push(Buffer.from('0\r\n\r\n'));
    return parts;
  }
  const hasLength = req.headers.some(([k]) => k.toLowerCase() === 'content-length');
  return [head(hasLength || body.length === 0 ? [] : [`Content-Length: ${body.length}`]), body];
}

/** Sends one request with `Connection: close` and reads the whole answer. */
export function send(host: string, port: number, req: RawRequest, timeoutMs: number): Promise<RawResponse> {
  // HTTP/1.1 requires Host (node answers a bare 400 without it); a request may override it.
  if (!req.headers.some(([k]) => k.toLowerCase() === 'host')) {
    req = { ...req, headers: [['Host', `${host}:${port}`], ...req.headers] };
  }
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (err: Error | undefined, streamed = false) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (err !== undefined && chunks.length === 0) return reject(err);
      try {
        resolve(parseResponse(Buffer.concat(chunks), streamed));
      } catch (e) {
        reject(e);
      }
    };
    const timer = setTimeout(() => finish(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // An event stream never ends by itself: its headers are the answer.
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end >= 0 && /\r\ncontent-type: text\/event-stream/i.test(all.subarray(0, end).toString('latin1'))) {
        finish(undefined, true);
      }
    });
    socket.on('end', () => finish(undefined));
    socket.on('error', (err) => finish(err));
    socket.on('connect', () => {
      for (const part of encodeRequest(req)) socket.write(part, () => undefined);
    });
  });
}

export function parseResponse(buf: Buffer, streamed: boolean): RawResponse {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete response head in ${buf.length} bytes`);
  const [statusLine = '', ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (m === null) throw new Error(`bad status line ${JSON.stringify(statusLine)}`);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  let body = buf.subarray(end + 4);
  if (!streamed && headers.get('transfer-encoding')?.toLowerCase() === 'chunked') body = dechunk(body);
  else if (headers.has('content-length')) body = body.subarray(0, Number(headers.get('content-length')));
  return { status: Number(m[1]), headers, body, streamed };
}

function dechunk(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = Number.parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
