import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ServerStats } from './read-server.js';

/**
 * A server child's own CPU, event-loop delay and RSS since the previous call (the read and
 * cluster benches ask their servers for it between rounds).
 */
export function serverStatsMeter(): () => ServerStats {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let cpu = process.cpuUsage();
  let since = performance.now();
  return () => {
    const used = process.cpuUsage(cpu);
    const now = performance.now();
    const out = {
      cores: (used.user + used.system) / 1000 / (now - since),
      loopDelayP50: loop.percentile(50) / 1e6,
      loopDelayP99: loop.percentile(99) / 1e6,
      loopDelayMax: loop.max / 1e6,
      rssMb: process.memoryUsage.rss() / 2 ** 20,
    };
    loop.reset();
    cpu = process.cpuUsage();
    since = now;
    return out;
  };
}
