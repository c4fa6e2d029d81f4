/**
 * An open-loop HTTP/1.1 GET load generator at a fixed rate (wrk cannot pace; Debian has no
 * wrk2), for bench/read.ts's latency at half of the maximum rate.
 *
 * Plain `node:net` sockets with keep-alive, no pipelining, pre-built request bytes and a
 * minimal response parser (status line, Content-Length, body), so the client costs a
 * fraction of what `node:http`'s Agent would. Every ~1 ms timer tick it issues the requests
 * that fell due since the last tick on idle connections; with none idle, a request waits in a
 * queue and its wait counts in its latency (no coordinated omission: a slow server cannot
 * slow the arrivals down).
 *
 * Two latencies per request: from the tick that issued it (`service`: what the server and the
 * kernel add, plus the client's own event-loop delays) and from its ideal arrival time on the
 * fixed schedule (`scheduled`: adds up to one timer tick of pacing jitter).
 */
import { connect, type Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { percentile } from './descriptors.js';

export interface PacedOptions {
  readonly url: string;
  readonly paths: readonly string[];
  readonly rate: number;
  readonly durationMs: number;
  readonly connections: number;
}

export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export interface PacedResult {
  readonly sent: number;
  readonly completed: number;
  /** Responses other than 200, and requests lost to a closed socket. */
  readonly errors: number;
  /** Completed responses per second over the issuing window. */
  readonly achievedRate: number;
  /** Milliseconds from the issuing tick to the end of the response body. */
  readonly service: Percentiles;
  /** Milliseconds from the request's slot on the fixed schedule to the end of its body. */
  readonly scheduled: Percentiles;
  /** CPU this process used over the run, in cores (1 = one core fully busy). */
  readonly clientCores: number;
  /** The client's own event-loop delay max over the run (ms): its share of the tail. */
  readonly clientLoopDelayMax: number;
}

interface Pending {
  readonly request: Buffer;
  readonly issued: number;
  readonly slot: number;
}

interface Conn {
  readonly socket: Socket;
  current: Pending | undefined;
  buf: Buffer | undefined;
  /** Total bytes of the response in flight (headers + body), or -1 until its headers are in. */
  need: number;
  /** The response in flight is a 200. */
  ok: boolean;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*([0-9]+)/i;

function summarize(xs: Float64Array, n: number): Percentiles {
  const s = Array.from(xs.subarray(0, n)).sort((a, b) => a - b);
  return {
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    p999: percentile(s, 99.9),
    max: s[s.length - 1] ?? Number.NaN,
  };
}

export async function pacedLoad(opts: PacedOptions): Promise<PacedResult> {
  const { hostname, port, host } = new URL(opts.url);
  const requests = opts.paths.map((p) => Buffer.from(`GET ${p} HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 'latin1'));
  const total = Math.round((opts.rate * opts.durationMs) / 1000);
  const service = new Float64Array(total);
  const scheduled = new Float64Array(total);
  let completed = 0;
  let errors = 0;
  let sent = 0;
  const idle: Conn[] = [];
  const queue: Pending[] = [];

  const send = (c: Conn, p: Pending): void => {
    c.current = p;
    c.need = -1;
    c.socket.write(p.request);
  };
  const done = (c: Conn, ok: boolean): void => {
    const p = c.current;
    if (p === undefined) return;
    const now = performance.now();
    if (ok) {
      service[completed] = now - p.issued;
      scheduled[completed] = now - p.slot;
      completed++;
    } else errors++;
    c.current = undefined;
    const next = queue.shift();
    if (next !== undefined) send(c, next);
    else idle.push(c);
  };
  const onData = (c: Conn, chunk: Buffer): void => {
    const buf = c.buf === undefined ? chunk : Buffer.concat([c.buf, chunk]);
    if (c.need < 0) {
      const end = buf.indexOf(HEADER_END);
      if (end < 0) {
        c.buf = buf;
        return;
      }
      const head = buf.toString('latin1', 0, end);
      const length = CONTENT_LENGTH.exec(head)?.[1];
      c.need = end + HEADER_END.length + (length === undefined ? 0 : Number(length));
      c.ok = head.startsWith('HTTP/1.1 200 ');
    }
    if (buf.length < c.need) {
      c.buf = buf;
      return;
    }
    // No pipelining: one response in flight per connection, so nothing follows its body.
    c.buf = undefined;
    done(c, c.ok);
  };

  const conns = await Promise.all(
    Array.from(
      { length: opts.connections },
      () =>
        new Promise<Conn>((resolve, reject) => {
          const socket = connect({ host: hostname, port: Number(port), noDelay: true });
          const c: Conn = { socket, current: undefined, buf: undefined, need: -1, ok: false };
          socket.once('connect', () => resolve(c));
          socket.once('error', reject);
          socket.on('data', (chunk: Buffer) => onData(c, chunk));
          socket.on('close', () => {
            if (c.current !== undefined) errors++;
            c.current = undefined;
          });
        }),
    ),
  );
  idle.push(...conns);

  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let random = 0x9e3779b9;
  const pick = (): Buffer => {
    // xorshift32: cheap, and the same sequence on every run (both servers get the same ids).
    random ^= random << 13;
    random ^= random >>> 17;
    random ^= random << 5;
    return requests[(random >>> 0) % requests.length] as Buffer;
  };
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) * opts.rate) / 1000) + 1);
      for (; sent < due; sent++) {
        const p: Pending = { request: pick(), issued: now, slot: t0 + (sent * 1000) / opts.rate };
        const c = idle.pop();
        if (c === undefined) queue.push(p);
        else send(c, p);
      }
      if (sent < total) setTimeout(tick, 0);
      else resolve();
    };
    tick();
  });
  const issuedMs = performance.now() - t0;
  // Let the last requests finish (bounded), then close.
  const deadline = performance.now() + 2000;
  while (completed + errors < sent && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  const wallMs = performance.now() - t0;
  for (const c of conns) c.socket.destroy();
  return {
    sent,
    completed,
    errors: errors + (sent - completed - errors),
    achievedRate: completed / (issuedMs / 1000),
    service: summarize(service, completed),
    scheduled: summarize(scheduled, completed),
    clientCores: (cpu.user + cpu.system) / 1000 / wallMs,
    clientLoopDelayMax: loop.max / 1e6,
  };
}
