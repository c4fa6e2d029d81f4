/**
 * Child process of bench/mirror.ts: `serve()` as a mirror (SPEC §11) of the upstream URL in
 * argv, in a process of its own so catch-up and reads never share the bench's event loop.
 * `mirror <upstream url> <db path | amnesia>`; pino at `info` to this process's stdout (the
 * parent points it at a file). Reports `{ url, pid, items, catchUpMs }` over IPC once the
 * first catch-up is done (serve() start to the engine handed to HTTP); answers `stats` with
 * its CPU use since the last one, in cores; exits 0 on `stop`.
 */
import { randomBytes } from 'node:crypto';
import { parseConfig } from '../src/cli/config.js';
import { serve } from '../src/cli/serve.js';
import { KEYS } from '../test/helpers/fixtures.js';

export interface MirrorReady {
  readonly url: string;
  readonly pid: number;
  readonly items: number;
  readonly catchUpMs: number;
}

const [mode, upstream, where] = process.argv.slice(2);
if (mode !== 'mirror' || upstream === undefined || where === undefined) {
  throw new Error('usage: mirror-server mirror <upstream url> <db path | amnesia>');
}
const t0 = performance.now();
const running = await serve(
  parseConfig({
    BIND: '127.0.0.1:0',
    MIRROR_OF: upstream,
    ...(where === 'amnesia' ? { AMNESIA: 'true' } : { REGISTRY_DB: where }),
    // The genesis bench/startup.ts wrote: KEYS[0] alone, threshold 1.
    SIGNER_ALLOWLIST: KEYS[0].signerId,
    SIG_THRESHOLD: '1',
    MACAROON_ROOT_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'info',
  }),
);
while (running.state.registry === undefined) await new Promise((r) => setTimeout(r, 2));
const catchUpMs = performance.now() - t0;
let cpu = process.cpuUsage();
let since = performance.now();
process.on('message', (m) => {
  if (m === 'stats') {
    const used = process.cpuUsage(cpu);
    const now = performance.now();
    process.send?.({ cores: (used.user + used.system) / 1000 / (now - since) });
    cpu = process.cpuUsage();
    since = now;
    return;
  }
  if (m === 'stop') running.stop().then(() => process.exit(0));
});
const items = running.state.registry?.snapshot.heads.size ?? 0;
process.send?.({ url: running.url, pid: process.pid, items, catchUpMs } satisfies MirrorReady);
