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
  /** Stream messages that lost the race for their id's version (not served; no alert). */
  readonly races: number;
  /** The last stream sequence in the view: /version trails it by the refusals and races. */
  readonly streamSeq: number;
}

/**
 * How this process serves, chosen once at start-up (STYLE §3b): each mode brings its own
 * `/readyz` fields. `report` is undefined until the mode's follower exists.
 */
export type ServiceMode =
  | { readonly kind: 'standalone' }
  /** SPEC §11: writes answer ReadOnly naming the upstream; `registry` is set once caught up. */
  | { readonly kind: 'mirror'; readonly upstream: string; report: (() => UpstreamReport) | undefined }
  /** Writes are degraded while NATS is unreachable. */
  | { readonly kind: 'cluster'; report: (() => ClusterReport) | undefined };

/**
 * What the HTTP layer needs to know about the process: the engine once its snapshot is
 * loaded, whether it is shutting down (SPEC §5 /readyz), and its mode.
 */
export class ServiceState {
  registry: Registry | undefined;
  shuttingDown = false;
  mode: ServiceMode = { kind: 'standalone' };
  /** SPEC §13: set with WITNESS_KEY once the store is open (POST /log/witness/add-checkpoint). */
  witness: WitnessRole | undefined;

  /** The upstream a mirror follows (undefined in the other modes). */
  get upstream(): string | undefined {
    return this.mode.kind === 'mirror' ? this.mode.upstream : undefined;
  }

  get ready(): boolean {
    return this.registry !== undefined && !this.shuttingDown;
  }
}
