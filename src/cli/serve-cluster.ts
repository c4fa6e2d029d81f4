import { hostname } from 'node:os';
import { messageOf } from '../core/index.js';
import type { AppDeps } from '../http/app.types.js';
import type { Metrics } from '../http/metrics.js';
import { type Cluster, openCluster, type TransparencyLogOptions } from '../registry/index.js';
import type { Store } from '../store/index.js';
import { NatsLog } from '../store/nats/index.js';
import { type Config, configError, type NatsConfig } from './config.js';

/**
 * Cluster mode (REGISTRY_BACKEND=nats): connects to the NATS cluster (waiting for it, so
 * /readyz stays 503 until then), and opens the engine as a view of the shared stream.
 * Returns once the view has caught up; the caller serves it.
 */
export async function openClusterEngine(
  config: Config & { nats: NatsConfig },
  store: Store,
  deps: AppDeps & { metrics: Metrics },
  tlog?: TransparencyLogOptions,
): Promise<{ cluster: Cluster; log: NatsLog }> {
  if (config.genesis === undefined) throw configError('cluster mode without a genesis'); // parseConfig checked
  const { logger } = deps;
  logger.info({ nats: config.nats.servers, stream: config.nats.stream }, 'connecting to the NATS cluster');
  const log = await NatsLog.open({
    servers: config.nats.servers,
    stream: config.nats.stream,
    replicas: config.nats.replicas,
    proposalTtlMs: config.proposalTtlMs,
    name: `registry ${hostname()} ${process.pid}`,
    onRetry: (err, delayMs) => {
      logger.warn({ err: messageOf(err), retry_ms: delayMs }, 'NATS not ready yet: waiting (/readyz is 503)');
    },
  });
  try {
    const cluster = await openCluster(store, log, {
      genesis: config.genesis,
      proposalTtlMs: config.proposalTtlMs,
      readCacheCap: config.readCacheCap,
      ...(tlog === undefined ? {} : { log: tlog }),
      onRefused: (seq, err) => {
        deps.metrics.clusterRefused();
        logger.warn({ seq, err: messageOf(err) }, 'refused a stream message: not served');
      },
      onRetry: (err, delayMs) => {
        logger.warn(
          { err: messageOf(err), retry_ms: delayMs },
          'NATS not ready yet: waiting (/readyz is 503)',
        );
      },
      onRaced: (seq, err) => {
        deps.metrics.clusterRaced();
        logger.info(
          { seq, err: messageOf(err) },
          'a stream message lost the race for its version: not served',
        );
      },
      onFollowError: (err) => {
        logger.error(
          { err: messageOf(err) },
          'stream follower trouble (it follows again after the last message it took)',
        );
      },
    });
    deps.state.mode = {
      kind: 'cluster',
      report: () => {
        const r = cluster.link.report();
        return {
          nats: r.nats,
          lagSeqs: r.lagSeqs,
          refused: r.refused,
          races: r.races,
          streamSeq: r.processed,
        };
      },
    };
    logger.info({ stream: config.nats.stream, ...cluster.link.report() }, 'caught up with the stream');
    return { cluster, log };
  } catch (err) {
    await log.close().catch(() => undefined);
    throw err;
  }
}
