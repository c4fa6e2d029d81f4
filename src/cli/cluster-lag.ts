import type { ServiceState } from '../http/service-state.js';
import type { Config } from './config.js';

/** The `MetricsSource.clusterLag` of a cluster instance (undefined otherwise). */
export function clusterLagSource(
  config: Config,
  state: ServiceState,
): { clusterLag?: () => number; clusterConnected?: () => boolean } {
  if (config.nats === undefined) return {};
  return {
    clusterLag: () => state.cluster?.report().lagSeqs ?? 0,
    // Before the first connection there is no report: not connected.
    clusterConnected: () => state.cluster?.report().nats === 'connected',
  };
}
