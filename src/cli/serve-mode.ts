import type { Metrics } from '../http/metrics.js';
import type { ServiceMode, ServiceState } from '../http/service-state.js';
import type { Config, NatsConfig } from './config.js';

/** How `registry serve` runs, read once from the configuration (parseConfig refuses a mirror in cluster mode). */
export type ServeMode =
  | { readonly kind: 'standalone' }
  | { readonly kind: 'mirror'; readonly upstream: string }
  | { readonly kind: 'cluster'; readonly nats: NatsConfig };

export function serveModeOf(config: Config): ServeMode {
  if (config.nats !== undefined) return { kind: 'cluster', nats: config.nats };
  if (config.mirrorOf !== undefined) return { kind: 'mirror', upstream: config.mirrorOf };
  return { kind: 'standalone' };
}

/** What the HTTP layer is told of the mode before its follower exists. */
export function serviceModeOf(mode: ServeMode): ServiceMode {
  switch (mode.kind) {
    case 'standalone':
      return { kind: 'standalone' };
    case 'mirror':
      return { kind: 'mirror', upstream: mode.upstream, report: undefined };
    case 'cluster':
      return { kind: 'cluster', report: undefined };
    default: {
      const never: never = mode;
      throw new Error(`unknown mode ${String(never)}`);
    }
  }
}

/**
 * Each mode registers its own metric families, from the first scrape on (SPEC §9, §11):
 * until its follower reports, a mirror shows no lag and a cluster instance is not connected.
 */
export function registerModeMetrics(metrics: Metrics, state: ServiceState): void {
  const mode = state.mode;
  switch (mode.kind) {
    case 'standalone':
      return;
    case 'mirror':
      metrics.registerMirror(() => {
        const r = state.mode.kind === 'mirror' ? state.mode.report?.() : undefined;
        return { seqs: r?.lagSeqs ?? 0, seconds: r?.lagSeconds ?? 0 };
      });
      return;
    case 'cluster': {
      const report = () => (state.mode.kind === 'cluster' ? state.mode.report?.() : undefined);
      metrics.registerCluster(
        () => report()?.lagSeqs ?? 0,
        () => report()?.nats === 'connected',
      );
      return;
    }
    default: {
      const never: never = mode;
      throw new Error(`unknown mode ${String(never)}`);
    }
  }
}
