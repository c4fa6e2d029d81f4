import {
  assertGenesis,
  digestOf,
  type GovernanceBody,
  genesisPayload,
  messageOf,
  payloadOf,
  RegistryError,
  signingBytes,
} from '../../core/index.js';
import type { Store } from '../../store/index.js';
import { descriptorBytes, entryFromBytes, parseAppliedDescriptor } from '../entry.js';
import type { EngineCore } from '../modes.types.js';
import { Registry, type RegistryOptions } from '../registry.js';
import { ClusterLink } from './cluster-link.js';
import { clusterMode } from './cluster-mode.js';
import { replicateInto } from './replicate.js';
import type { StreamLog } from './shared-log.js';
import { untilAvailable } from './until-available.js';

export interface ClusterOptions extends Omit<RegistryOptions, 'mode' | 'genesis'> {
  /** The cluster's pinned genesis (SIGNER_ALLOWLIST, SIG_THRESHOLD): seq 1 of the stream. */
  readonly genesis: GovernanceBody;
  readonly onRefused?: (seq: number, err: unknown) => void;
  readonly onRaced?: (seq: number, err: unknown) => void;
  readonly onFollowError?: (err: unknown) => void;
  readonly visibleTimeoutMs?: number;
  /** How long the follower waits before resuming after a local commit failure (default 1 s). */
  readonly resumeMs?: number;
  /** The stalled-follower watchdog's period (default 2 s). */
  readonly watchdogMs?: number;
  /** A start-up step failed with a transient NATS error and is tried again after `delayMs`. */
  readonly onRetry?: (err: unknown, delayMs: number) => void;
  /** The first delay of that backoff (default 250 ms; tests shorten it). */
  readonly retryMs?: number;
}

export interface Cluster {
  readonly registry: Registry;
  readonly link: ClusterLink;
  /** Stops following, then closes the engine (and its store); the NATS connection is the caller's. */
  close(opts?: { zeroFill?: boolean }): Promise<void>;
}

/**
 * Cluster mode start-up: checks that the local store belongs to this stream and the stream
 * to this genesis, publishes the genesis into an empty stream (only one instance wins),
 * then follows the stream into the local view and returns once it has caught up.
 */
export async function openCluster(store: Store, log: StreamLog, opts: ClusterOptions): Promise<Cluster> {
  const now = opts.now ?? Date.now;
  const {
    genesis,
    onRefused,
    onRaced,
    visibleTimeoutMs,
    onFollowError,
    resumeMs,
    watchdogMs,
    onRetry,
    retryMs,
    ...engine
  } = opts;
  // Every NATS step of start-up is retried while it fails transiently (StoreUnavailable);
  // a stream or store that belongs elsewhere (BadRequest) ends start-up: exit 2.
  const retried = <T>(step: () => Promise<T>) => untilAvailable(step, onRetry, retryMs);
  await retried(async () => {
    await assertStreamGenesis(log, genesis);
    await assertLocalIsStreams(store, log);
  });
  let core: EngineCore | undefined;
  const link = new ClusterLink(log, {
    replicate: (item, run) => {
      if (core === undefined) throw new RegistryError('StoreUnavailable', 'engine not open');
      return replicateInto(core, item, run, genesis);
    },
    cursor: () => store.streamSeq(),
    ...(onRefused === undefined ? {} : { onRefused }),
    ...(onRaced === undefined ? {} : { onRaced }),
    ...(watchdogMs === undefined ? {} : { watchdogMs }),
    ...(onFollowError === undefined ? {} : { onFollowError }),
    ...(visibleTimeoutMs === undefined ? {} : { visibleTimeoutMs }),
    ...(resumeMs === undefined ? {} : { resumeMs }),
  });
  const r = await Registry.open(store, {
    ...engine,
    mode: clusterMode(link, (c) => {
      core = c;
    }),
  });
  try {
    await retried(async () => {
      if ((await log.lastSeq()) === 0) {
        const payload = genesisPayload(genesis, now());
        await log.publishGenesis({
          id: payload.id,
          bytes: descriptorBytes(payload, []),
          digest: digestOf(signingBytes(payload)),
          appliedBy: 'genesis',
          ts: now(),
        });
      }
    });
    const from = await store.streamSeq();
    await retried(() => link.start(from));
    await retried(() => link.catchUp(false));
  } catch (err) {
    await link.stop();
    await r.close();
    throw err;
  }
  return {
    registry: r,
    link,
    async close(closeOpts = {}) {
      await link.stop();
      await r.close(closeOpts);
    },
  };
}

/** SPEC §3 for a cluster: seq 1 of the stream must be the configured (pinned) genesis. */
async function assertStreamGenesis(log: StreamLog, genesis: GovernanceBody): Promise<void> {
  if ((await log.lastSeq()) === 0) return;
  const m = await log.messageAt(1);
  try {
    if (m === undefined) throw new RegistryError('BadSignature', 'stream message 1 is missing');
    const d = parseAppliedDescriptor(m.bytes);
    assertGenesis(payloadOf(d), d.signatures, genesis);
  } catch (err) {
    throw new RegistryError(
      'BadRequest',
      `NATS stream ${log.stream} does not start with the configured genesis: ${messageOf(err)}`,
      'give the cluster genesis SIGNER_ALLOWLIST and SIG_THRESHOLD, or another NATS_STREAM',
    );
  }
}

/** A local store is a view of one stream: refuse one written by a standalone registry or another stream. */
async function assertLocalIsStreams(store: Store, log: StreamLog): Promise<void> {
  const version = await store.version();
  if (version === 0) return;
  const streamSeq = await store.streamSeq();
  if (streamSeq === 0) {
    throw new RegistryError(
      'BadRequest',
      `the local store holds a standalone registry at version ${version}; cluster mode materializes NATS stream ${log.stream} into an empty store`,
      'point REGISTRY_DB at another directory',
    );
  }
  const [last] = await store.log(version - 1, 1);
  const m = await log.messageAt(streamSeq);
  let digest: string | undefined;
  try {
    digest = m === undefined ? undefined : entryFromBytes(m.bytes).entry.digest;
  } catch {
    digest = undefined; // not a descriptor at all: certainly not this store's
  }
  if (last === undefined || digest !== last.digest) {
    throw new RegistryError(
      'BadRequest',
      `the local store (version ${version}, stream seq ${streamSeq}) was not materialized from NATS stream ${log.stream}: its message ${streamSeq} is ${digest ?? 'missing'}, the local log has ${last?.digest ?? 'nothing'}`,
      'point REGISTRY_DB at another directory, or NATS_URL/NATS_STREAM at the cluster it came from',
    );
  }
}
