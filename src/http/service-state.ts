import type { Registry, WitnessRole } from '../registry/index.js';

/** What /readyz shows of a mirror's upstream (SPEC §11); the mirror itself lives in mirror/. */
export interface UpstreamReport {
  readonly upstream: 'ok' | 'unreachable' | 'untrusted';
  readonly lagSeqs: number;
  readonly lagSeconds: number;
  readonly refusedSeq: number | undefined;
}

/** What /readyz shows of a cluster instance: its NATS connection and how far its view lags the stream. */
export interface ClusterReport {
  readonly nats: 'connected' | 'reconnecting' | 'closed';
  readonly lagSeqs: number;
  readonly refused: number;
}

/**
 * What the HTTP layer needs to know about the process: the engine once its snapshot is
 * loaded, and whether it is shutting down (SPEC §5 /readyz).
 */
export class ServiceState {
  registry: Registry | undefined;
  shuttingDown = false;
  /** Set in mirror mode (SPEC §11): writes answer ReadOnly naming the upstream. */
  mirrorOf: string | undefined;
  /** The mirror's follower; `registry` is set only once it has first caught up (SPEC §11). */
  mirror: { report(): UpstreamReport } | undefined;
  /** Set in cluster mode: writes are degraded while NATS is unreachable. */
  cluster: { report(): ClusterReport } | undefined;
  /** SPEC §13: set with WITNESS_KEY once the store is open (POST /log/witness/add-checkpoint). */
  witness: WitnessRole | undefined;

  get ready(): boolean {
    return this.registry !== undefined && !this.shuttingDown;
  }
}
