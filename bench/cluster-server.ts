/**
 * Child process of bench/cluster-read.ts: the real `serve()` in cluster mode
 * (REGISTRY_BACKEND=nats, through `parseConfig` as `registry serve` reads its env) on an empty
 * REGISTRY_DB, which it materializes from the NATS stream before it listens for reads. Full
 * middleware, pino at `info` to this process's stdout (the parent points it at a file).
 *
 * argv: <db> <NATS_URL> <NATS_STREAM> <NATS_REPLICAS>. Speaks bench/read-server.ts's protocol:
 * `{ url, pid, items }` once ready, `stats` answered with CPU and event-loop delay since the
 * last one, `stop` closes and exits 0 (so a `--cpu-prof` run writes its profile).
 */
import { randomBytes } from 'node:crypto';
import { parseConfig } from '../src/cli/config.js';
import { serve } from '../src/cli/serve.js';
import { messageOf } from '../src/core/index.js';
import { KEYS } from '../test/helpers/fixtures.js';
import type { ServerReady } from './read-server.js';
import { serverStatsMeter } from './server-stats.js';

const [db, natsUrl, stream, replicas] = process.argv.slice(2);
if (db === undefined || natsUrl === undefined || stream === undefined || replicas === undefined) {
  throw new Error('usage: cluster-server <db> <NATS_URL> <NATS_STREAM> <NATS_REPLICAS>');
}

const stats = serverStatsMeter();

const config = parseConfig({
  BIND: '127.0.0.1:0',
  REGISTRY_DB: db,
  REGISTRY_BACKEND: 'nats',
  NATS_URL: natsUrl,
  NATS_STREAM: stream,
  NATS_REPLICAS: replicas,
  // The cluster genesis bench/cluster-read.ts published: KEYS[0] alone, threshold 1, as the
  // embedded store of bench/read-server.ts (checked against stream message 1 at open).
  SIGNER_ALLOWLIST: KEYS[0].signerId,
  SIG_THRESHOLD: '1',
  MACAROON_ROOT_KEY: randomBytes(32).toString('hex'),
  LOG_LEVEL: 'info',
});
const running = await serve(config);
const ready: ServerReady = {
  url: running.url,
  pid: process.pid,
  items: running.state.registry?.snapshot.heads.size ?? 0,
};
process.on('message', (m) => {
  if (m === 'stats') {
    process.send?.(stats());
    return;
  }
  if (m !== 'stop') return;
  running.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`cluster-server: stop failed: ${messageOf(err)}\n`);
      process.exit(1);
    },
  );
});
process.send?.(ready);
