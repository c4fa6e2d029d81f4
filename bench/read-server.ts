/**
 * Child process of bench/read.ts: one HTTP server on 127.0.0.1 (ephemeral port), in a process
 * of its own so the load generator never shares its event loop.
 *
 * `registry <db>`: the real `serve()` (SPEC §8 config from env through `parseConfig`), full
 *   middleware: fast lane, request id, metrics, pino at `info` to this process's stdout, which
 *   the parent points at a file (as `registry serve > file`).
 * `bare <db> <ids file>`: the baseline, a bare `node:http` server answering GET
 *   `/v1/registry/descriptors/<id>` from a `Map` of the very bytes and ETags the engine loaded
 *   from the same store (the engine is closed before listening); writes the ids to load.
 *
 * Reports `{ url, pid, items }` over IPC once listening; answers the message `stats` with its
 * CPU use and event-loop delay since the last one; on `stop` it closes and exits 0, so a
 * `--cpu-prof` run writes its profile.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../src/cli/config.js';
import { serve } from '../src/cli/serve.js';
import { messageOf } from '../src/core/index.js';
import { Registry } from '../src/registry/index.js';
import { openLevelStore } from '../src/store/index.js';
import { KEYS } from '../test/helpers/fixtures.js';
import { serverStatsMeter } from './server-stats.js';

export interface ServerReady {
  readonly url: string;
  readonly pid: number;
  readonly items: number;
}

/** The answer to the message `stats`: since the previous `stats` (or start), then reset. */
export interface ServerStats {
  /** CPU this process used, in cores (1 = one core fully busy). */
  readonly cores: number;
  /** Event-loop delay (perf_hooks `monitorEventLoopDelay`, 1 ms sampling), in ms. */
  readonly loopDelayP50: number;
  readonly loopDelayP99: number;
  readonly loopDelayMax: number;
  readonly rssMb: number;
}

const PREFIX = '/v1/registry/descriptors/';
const [mode, db, idsFile] = process.argv.slice(2);

const stats = serverStatsMeter();

function ready(msg: ServerReady, stop: () => Promise<void>): void {
  process.on('message', (m) => {
    if (m === 'stats') {
      process.send?.(stats());
      return;
    }
    if (m !== 'stop') return;
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`read-server: stop failed: ${messageOf(err)}\n`);
        process.exit(1);
      },
    );
  });
  process.send?.(msg);
}

async function registry(path: string): Promise<void> {
  const config = parseConfig({
    BIND: '127.0.0.1:0',
    REGISTRY_DB: path,
    // The genesis bench/startup.ts wrote: KEYS[0] alone, threshold 1 (checked at open).
    SIGNER_ALLOWLIST: KEYS[0].signerId,
    SIG_THRESHOLD: '1',
    // bench/watch.ts passes its own key so it can mint write tokens.
    MACAROON_ROOT_KEY: process.env.BENCH_MACAROON_ROOT_KEY ?? randomBytes(32).toString('hex'),
    LOG_LEVEL: 'info',
  });
  const running = await serve(config);
  const items = running.state.registry?.snapshot.heads.size ?? 0;
  ready({ url: running.url, pid: process.pid, items }, () => running.stop());
}

async function bare(path: string, ids: string): Promise<void> {
  const heads = new Map<string, { readonly bytes: Buffer; readonly etag: string }>();
  const engine = await Registry.open(await openLevelStore(path));
  for (const [id, e] of engine.snapshot.heads) {
    if (e.kind === 'service') heads.set(id, { bytes: Buffer.from(e.bytes), etag: e.etag });
  }
  await engine.close();
  writeFileSync(ids, `${[...heads.keys()].join('\n')}\n`);

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const url = req.url ?? '';
    const e = url.startsWith(PREFIX) ? heads.get(url.slice(PREFIX.length)) : undefined;
    if (e === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      etag: e.etag,
      'content-length': e.bytes.length,
    });
    res.end(e.bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  ready({ url: `http://127.0.0.1:${port}`, pid: process.pid, items: heads.size }, async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
}

if (mode === 'registry' && db !== undefined) await registry(db);
else if (mode === 'bare' && db !== undefined && idsFile !== undefined) await bare(db, idsFile);
else throw new Error('usage: read-server registry <db> | bare <db> <ids file>');
