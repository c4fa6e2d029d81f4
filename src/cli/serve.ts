import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { RegistryError } from '../core/index.js';
import { createApp } from '../http/app.js';
import type { AppDeps } from '../http/app.types.js';
import { Authenticator } from '../http/capability.js';
import { Metrics } from '../http/metrics.js';
import { WriteRateLimiter } from '../http/rate-limit.js';
import { type Listening, listen, requestHandler } from '../http/server.js';
import { ServiceState } from '../http/service-state.js';
import { mirrorMode, Registry, standaloneMode, WitnessClient, WitnessRole } from '../registry/index.js';
import { openLevelStore, openMemoryStore, type Store } from '../store/index.js';
import { type Config, configError } from './config.js';
import { loadOidc } from './oidc-load.js';
import { assertMirrorConfig, startMirror } from './serve-mirror.js';
import { registerModeMetrics, serveModeOf, serviceModeOf } from './serve-mode.js';
import { readTlogKeys, tlogOptions } from './serve-tlog.js';
import { fsTypeOf } from './tmpfs.js';
import { VERSION } from './version.js';

export { VERSION } from './version.js';

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
 * SPEC §8: settings are checked before anything is bound, created or logged. A store that
 * does not exist yet (or any amnesia store) needs the genesis signer set; a mirror takes
 * its log from the upstream and cluster mode checks its own settings.
 */
export function assertGenesisSettings(config: Config): void {
  if (config.genesis !== undefined || config.mirrorOf !== undefined || config.nats !== undefined) return;
  if (!config.amnesia && existsSync(join(config.db, 'CURRENT'))) return; // a LevelDB store: its governance rules
  throw configError(
    `${config.amnesia ? 'an amnesia store is always empty' : `no registry at REGISTRY_DB=${config.db} yet`}: SIGNER_ALLOWLIST is required to create the genesis (SIG_THRESHOLD defaults to 2)`,
  );
}

/** Listens, or turns the usual bind failures into one configuration line (exit 2). */
async function bindOrExplain(
  handler: Parameters<typeof listen>[0],
  at: { host: string; port: number },
  setting: string,
): Promise<Listening> {
  try {
    return await listen(handler, at.host, at.port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? 'is already in use (another registry?)'
        : code === 'EACCES'
          ? 'needs privileges to bind (use a port ≥ 1024)'
          : code === 'EADDRNOTAVAIL'
            ? 'is not an address of this machine'
            : undefined;
    if (why === undefined) throw err;
    throw new RegistryError(
      'BadRequest',
      `${setting}=${at.host}:${at.port} ${why}`,
      'see README "Configuration"',
      {
        cause: err,
      },
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
  assertGenesisSettings(config);
  const oidc = config.oidcIssuers === undefined ? undefined : loadOidc(config.oidcIssuers);
  const tlogKeys = readTlogKeys(config);
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
    logSize: () => state.registry?.log.size ?? 0,
    checkpointAgeSeconds: () => state.registry?.log.ageSeconds(),
  });
  registerModeMetrics(metrics, state);
  metrics.restart();
  const deps: AppDeps = {
    state,
    auth:
      config.macaroonRootKey === undefined ? Authenticator.none() : new Authenticator(config.macaroonRootKey),
    ...(oidc === undefined ? {} : { oidc }),
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
  const main = await bindOrExplain(handler, config.bind, 'BIND');
  let side: Listening | undefined;
  if (config.metricsAddr !== undefined) {
    side = await bindOrExplain(handler, config.metricsAddr, 'METRICS_ADDR').catch(async (err: unknown) => {
      await main.close();
      throw err;
    });
  }
  logger.info({ url: main.url, metrics_url: side?.url, amnesia: config.amnesia }, 'listening');

  let registry: Registry;
  let store: Store | undefined;
  let nats: { close(): Promise<void> } | undefined;
  let closeEngine: (opts: { zeroFill: boolean }) => Promise<void>;
  try {
    store = config.amnesia ? await openMemoryStore() : await openLevelStore(config.db);
    const log = tlogOptions(config, tlogKeys);
    if (mode.kind === 'cluster') {
      // Loaded on demand: a standalone or mirror process never loads the NATS client.
      const { openClusterEngine } = await import('./serve-cluster.js');
      const opened = await openClusterEngine({ ...config, nats: mode.nats }, store, deps, log);
      registry = opened.cluster.registry;
      nats = opened.log;
      closeEngine = (o) => opened.cluster.close(o);
    } else {
      const r = await Registry.open(store, {
        ...(config.genesis === undefined ? {} : { genesis: config.genesis }),
        proposalTtlMs: config.proposalTtlMs,
        readCacheCap: config.readCacheCap,
        mode: mode.kind === 'mirror' ? mirrorMode : standaloneMode,
        log,
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
  // SPEC §13: the witness role (WITNESS_KEY) and the log's witnesses (WITNESSES).
  if (tlogKeys.witnessKey !== undefined) {
    state.witness = new WitnessRole(store, {
      key: tlogKeys.witnessKey,
      ...(config.tlog.witnessName === undefined ? {} : { name: config.tlog.witnessName }),
      logs: config.tlog.witnessLogs,
    });
  }
  const witnesses =
    config.tlog.witnesses.length === 0
      ? undefined
      : new WitnessClient(registry.log, {
          witnesses: config.tlog.witnesses,
          intervalMs: config.tlog.checkpointIntervalMs,
          onResult: (witness, result) => metrics.witnessRequest(witness, result),
        });
  witnesses?.start();
  const mirror =
    mode.kind === 'mirror' ? startMirror({ ...config, mirrorOf: mode.upstream }, registry, deps) : undefined;
  if (mirror === undefined) state.registry = registry;
  const sweeper = setInterval(() => {
    registry.sweep().catch((err: unknown) => logger.warn({ err }, 'proposal sweep failed'));
  }, 60_000);
  sweeper.unref();
  logger.info(
    {
      version: registry.version,
      descriptors: registry.snapshot.heads.size,
      log_origin: registry.log.origin,
      log_tree_built: registry.log.restored.built,
      log_tree_build_ms: registry.log.restored.ms,
    },
    'ready',
  );

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
        await witnesses?.close();
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
