import type { AppDeps } from '../http/app.types.js';
import type { Metrics } from '../http/metrics.js';
import { Mirror } from '../mirror/index.js';
import type { Registry } from '../registry/index.js';
import { type Config, configError } from './config.js';

/** SPEC §11: a mirror's trust root is the upstream's genesis, so it must be configured. */
export function assertMirrorConfig(config: Config): void {
  if (config.mirrorOf !== undefined && config.genesis === undefined) {
    throw configError(
      `MIRROR_OF=${config.mirrorOf} needs SIGNER_ALLOWLIST and SIG_THRESHOLD: the upstream's genesis is the mirror's trust root`,
    );
  }
}

/**
 * Starts following the upstream. Reads, /watch and /readyz 200 wait for the first catch-up
 * (SPEC §11): the engine is handed to the HTTP layer only then, and stays served after.
 */
export function startMirror(
  config: Config & { mirrorOf: string },
  registry: Registry,
  deps: AppDeps & { metrics: Metrics },
): Mirror {
  const { state, logger } = deps;
  if (config.genesis === undefined) throw configError('mirror without a genesis'); // assertMirrorConfig ran
  const mirror = new Mirror({
    upstream: config.mirrorOf,
    genesis: config.genesis,
    ...(config.mirrorToken === undefined ? {} : { token: config.mirrorToken }),
    registry,
    logger,
    onCaughtUp: () => {
      state.registry = registry;
    },
    onRefused: (reason) => deps.metrics.mirrorRefused(reason),
  });
  state.mode = { kind: 'mirror', upstream: config.mirrorOf, report: () => mirror.report() };
  return mirror.start();
}
