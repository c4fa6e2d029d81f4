import { pino } from 'pino';
import { createApp } from '../http/app.js';
import type { AppDeps } from '../http/app.types.js';
import { Authenticator } from '../http/capability.js';
import { Metrics } from '../http/metrics.js';
import { WriteRateLimiter } from '../http/rate-limit.js';
import { type Listening, listen, requestHandler } from '../http/server.js';
import { ServiceState } from '../http/service-state.js';
import { mirrorMode, Registry, standaloneMode } from '../registry/index.js';
import { openLevelStore, openMemoryStore, type Store } from '../store/index.js';
import { type Config, configError } from './config.js';
import { assertMirrorConfig, startMirror } from './serve-mirror.js';
import { registerModeMetrics, serveModeOf, serviceModeOf } from './serve-mode.js';
import { fsTypeOf } from './tmpfs.js';

export const VERSION = '0.1.0';

export interface Running {
  readonly url: string;
  readonly metricsUrl: string | undefined;
  readonly state: ServiceState;
  readonly deps: AppDeps;
  /** SPEC §8 clean shutdown: stop accepting, finish in-flight applies, close the store. */
  stop(): Promise<void>;
}

/** SPEC §8 amnesia guardrail: an explicit on-disk REGISTRY_DB with AMNESIA=true is refused. */
export function checkAmnesia(config: Config, fsType: (p: string) => string | undefined = fsTypeOf): void {
  if (!config.amnesia || !config.dbExplicit) return;
  const type = fsType(config.db);
  if (type !== 'tmpfs' && type !== 'ramfs') {
    throw configError(
      `AMNESIA=true but REGISTRY_DB=${config.db} is on ${type ?? 'an unknown filesystem'}, not tmpfs: refusing to write to disk`,
    );
  }
}

/**
 * Starts the registry: listens first (so /healthz and a 503 /readyz answer during load),
 * then opens the store and loads the snapshot.
 */
export async function serve(
  config: Config,
  opts: { logDestination?: NodeJS.WritableStream } = {},
): Promise<Running> {
  checkAmnesia(config);
  assertMirrorConfig(config);
  const logger = pino(
    {
      level: config.logLevel,
      base: { service: 'registry' },
      // Defence in depth: whatever a caller logs, these never reach the output.
      redact: ['authorization', 'token', 'key', 'req.headers.authorization', 'macaroon'],
    },
    ...(opts.logDestination === undefined ? [] : [opts.logDestination]),
  ) as AppDeps['logger'];
  const state = new ServiceState();
  const mode = serveModeOf(config);
  state.mode = serviceModeOf(mode);
  const metrics = new Metrics({
    version: () => state.registry?.version ?? 0,
    counts: () => state.registry?.snapshot.counts() ?? { published: 0, deprecated: 0 },
    watchers: () => state.registry?.bus.subscribers ?? 0,
    pendingProposals: () => state.registry?.pendingCount ?? 0,
    lagged: () => state.registry?.bus.lagged ?? 0,
  });
  registerModeMetrics(metrics, state);
  metrics.restart();
  const deps: AppDeps = {
    state,
    auth: new Authenticator(config.macaroonRootKey),
    readAuth: config.readAuth,
    maxBodyBytes: config.maxBodyBytes,
    limiter: new WriteRateLimiter(config.writeRate),
    metrics,
    logger,
    now: Date.now,
    version: VERSION,
  };
  const app = createApp(deps);
  const handler = requestHandler(app, deps);
  const main = await listen(handler, config.bind.host, config.bind.port);
  let side: Listening | undefined;
  if (config.metricsAddr !== undefined) {
    side = await listen(handler, config.metricsAddr.host, config.metricsAddr.port);
  }
  logger.info({ url: main.url, metrics_url: side?.url, amnesia: config.amnesia }, 'listening');

  let registry: Registry;
  let store: Store | undefined;
  let nats: { close(): Promise<void> } | undefined;
  let closeEngine: (opts: { zeroFill: boolean }) => Promise<void>;
  try {
    store = config.amnesia ? await openMemoryStore() : await openLevelStore(config.db);
    if (mode.kind === 'cluster') {
      // Loaded on demand: a standalone or mirror process never loads the NATS client.
      const { openClusterEngine } = await import('./serve-cluster.js');
      const opened = await openClusterEngine({ ...config, nats: mode.nats }, store, deps);
      registry = opened.cluster.registry;
      nats = opened.log;
      closeEngine = (o) => opened.cluster.close(o);
    } else {
      const r = await Registry.open(store, {
        ...(config.genesis === undefined ? {} : { genesis: config.genesis }),
        proposalTtlMs: config.proposalTtlMs,
        readCacheCap: config.readCacheCap,
        mode: mode.kind === 'mirror' ? mirrorMode : standaloneMode,
      });
      registry = r;
      closeEngine = (o) => r.close(o);
    }
  } catch (err) {
    // A refused start (e.g. governance mismatch) must not keep the store's LOCK.
    await store?.close().catch(() => undefined);
    await main.close();
    await side?.close();
    throw err;
  }
  const mirror =
    mode.kind === 'mirror' ? startMirror({ ...config, mirrorOf: mode.upstream }, registry, deps) : undefined;
  if (mirror === undefined) state.registry = registry;
  const sweeper = setInterval(() => {
    registry.sweep().catch((err: unknown) => logger.warn({ err }, 'proposal sweep failed'));
  }, 60_000);
  sweeper.unref();
  logger.info({ version: registry.version, descriptors: registry.snapshot.heads.size }, 'ready');

  let stopping: Promise<void> | undefined;
  return {
    url: main.url,
    metricsUrl: side?.url,
    state,
    deps,
    stop() {
      stopping ??= (async () => {
        state.shuttingDown = true;
        clearInterval(sweeper);
        const closing = Promise.all([main.close(), side?.close()]);
        await mirror?.close();
        await closeEngine({ zeroFill: config.amnesia });
        await nats?.close();
        await closing;
        logger.info('stopped');
        logger.flush?.();
      })();
      return stopping;
    },
  };
}
