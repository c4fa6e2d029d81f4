import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type ErrorCode, STATUS } from '../core/index.js';
import { RequestMetrics } from './request-metrics.js';

export { REQUEST_BUCKETS, UNMATCHED_ROUTE } from './request-metrics.js';

/**
 * Engine state the scrape reads (SPEC §9 gauges). Each getter is called once per scrape,
 * never on the request path, so it may do a little work (e.g. `snapshot.counts()`).
 */
export interface MetricsSource {
  version(): number;
  counts(): { published: number; deprecated: number };
  watchers(): number;
  pendingProposals(): number;
  /** Cumulative count of watchers disconnected for overflowing their buffer (`bus.lagged`). */
  lagged(): number;
  /** SPEC §13: the transparency log's durable tree size. */
  logSize?(): number;
  /** SPEC §9: seconds since the newest cosignature of the served checkpoint, or since its signing. */
  checkpointAgeSeconds?(): number | undefined;
}

export interface MetricsOptions {
  /** prom-client's default `process_*` / `nodejs_*` metrics on the same registry (default true). */
  readonly processMetrics?: boolean;
  /** Distinct `route` label values kept before new ones fold into `unmatched` (default 64). */
  readonly maxRoutes?: number;
}

/** `registry_mirror_refused_total{reason}` labels (SPEC §11; see mirror.types.ts). */
const MIRROR_REASONS = ['seq', 'version', 'verify', 'behind'] as const;

/** `registry_apply_latency_seconds` buckets; 0.005 is a bound for the SPEC §10 apply p95 ≤ 5 ms bar. */
export const APPLY_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

const UPDATE_RESULTS = ['applied', 'rejected', 'invalid_sig'] as const;

/**
 * The SPEC §9 metrics on one prom-client `Registry` of their own (never the global one).
 *
 * Request accounting is built for the head-read hot path: no label object, no string key and
 * no prom-client call per request; slots are created once per (route, method, status) and
 * folded into prom-client when `/metrics` is scraped. Gauges mirroring engine state, and
 * `bus_lagged_total`, are read from `source` at scrape time.
 */
export class Metrics {
  /** The registry `/metrics` serves; also holds the default process metrics unless disabled. */
  readonly registry = new Registry();
  readonly contentType: string = this.registry.contentType;

  readonly #requests: RequestMetrics;
  readonly #updateApplied: Counter.Internal;
  readonly #updateRejected: Counter.Internal;
  readonly #updateInvalidSig: Counter.Internal;
  readonly #rejectedBy: ReadonlyMap<string, Counter.Internal>;
  readonly #internal: Counter;
  readonly #applyLatency: Histogram<string>;
  readonly #restarts: Counter<string>;
  #mirrorRefused: Counter<'reason'> | undefined;
  #clusterRefused: Counter | undefined;
  #clusterRaces: Counter | undefined;
  readonly #validations: { valid: Counter.Internal; invalid: Counter.Internal };
  readonly #compatibility: { compatible: Counter.Internal; incompatible: Counter.Internal };
  readonly #witnessRequests: Counter<'witness' | 'result'>;

  constructor(source: MetricsSource, options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.#witnessRequests = new Counter({
      name: 'registry_witness_requests_total',
      help: 'add-checkpoint requests this log sent to its witnesses, by witness and result (SPEC §13)',
      labelNames: ['witness', 'result'],
      registers,
    });
    // SPEC §9 schema counters, both label values present from the start (a rate needs a zero).
    const validations = new Counter({
      name: 'registry_schema_validations_total',
      help: 'POST /schemas/{id}/validate answers by verdict',
      labelNames: ['result'],
      registers,
    });
    this.#validations = { valid: validations.labels('valid'), invalid: validations.labels('invalid') };
    for (const c of Object.values(this.#validations)) c.inc(0);
    const compat = new Counter({
      name: 'registry_compatibility_checks_total',
      help: 'Compatibility checks answered by the compatibility routes, by verdict',
      labelNames: ['result'],
      registers,
    });
    this.#compatibility = {
      compatible: compat.labels('compatible'),
      incompatible: compat.labels('incompatible'),
    };
    for (const c of Object.values(this.#compatibility)) c.inc(0);

    this.#requests = new RequestMetrics(this.registry, options.maxRoutes ?? 64);

    new Gauge({
      name: 'registry_descriptors_total',
      help: 'Descriptor heads by state',
      labelNames: ['state'],
      registers,
      collect() {
        const c = source.counts();
        this.set({ state: 'published' }, c.published);
        this.set({ state: 'deprecated' }, c.deprecated);
      },
    });

    const update = new Counter({
      name: 'registry_update_total',
      help: 'Apply outcomes: applied, rejected, or rejected for an invalid signature',
      labelNames: ['result'],
      registers,
    });
    // Every series exists from the first scrape at 0, so rate()/increase() see the first event.
    for (const r of UPDATE_RESULTS) update.inc({ result: r }, 0);
    this.#updateApplied = update.labels('applied');
    this.#updateRejected = update.labels('rejected');
    this.#updateInvalidSig = update.labels('invalid_sig');

    const rejectedTotal = new Counter({
      name: 'rejected_total',
      help: 'Rejected requests by SPEC §5 error code',
      labelNames: ['reason'],
      registers,
    });
    const codes = Object.keys(STATUS);
    for (const code of codes) rejectedTotal.inc({ reason: code }, 0);
    this.#rejectedBy = new Map(codes.map((code) => [code, rejectedTotal.labels(code)]));
    // SPEC §9/§5: a defect is counted on its own, so an alert can page on any.
    this.#internal = new Counter({
      name: 'registry_internal_errors_total',
      help: 'Requests answered 500 Internal (a bug; the log holds the request_id and stack)',
      registers,
    });

    // Mirrors the engine's cumulative `bus.lagged` at scrape time (counter semantics kept:
    // it only grows; a smaller source value means a new engine, treated as a counter reset).
    let laggedSeen = 0;
    new Counter({
      name: 'bus_lagged_total',
      help: 'Watchers disconnected because their buffer overflowed (they resume losslessly)',
      registers,
      collect() {
        const now = source.lagged();
        if (now < laggedSeen) {
          this.reset();
          laggedSeen = 0;
        }
        if (now > laggedSeen) this.inc(now - laggedSeen);
        laggedSeen = now;
      },
    });

    this.#restarts = new Counter({
      name: 'service_restarts_total',
      help: 'Service restarts reported by the server',
      registers,
    });

    new Gauge({
      name: 'registry_version',
      help: 'Global registry version of the current snapshot',
      registers,
      collect() {
        this.set(source.version());
      },
    });

    this.#applyLatency = new Histogram({
      name: 'registry_apply_latency_seconds',
      help: 'Latency of successful applies (durable batch included), in seconds',
      buckets: [...APPLY_BUCKETS],
      registers,
    });

    new Gauge({
      name: 'registry_watchers',
      help: 'Connected /watch subscribers',
      registers,
      collect() {
        this.set(source.watchers());
      },
    });

    new Gauge({
      name: 'registry_proposals_pending',
      help: 'Pending (unapplied, unexpired) proposals',
      registers,
      collect() {
        this.set(source.pendingProposals());
      },
    });

    this.#logMetrics(source, registers);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** SPEC §11: one upstream entry a mirror refused, by reason. */
  mirrorRefused(reason: (typeof MIRROR_REASONS)[number]): void {
    this.#mirrorRefused?.inc({ reason });
  }

  /** Cluster mode: one stream message this instance refused (every instance refuses the same). */
  /** SPEC §9 `registry_witness_requests_total{witness,result}`: one add-checkpoint request's outcome. */
  witnessRequest(witness: string, result: string): void {
    this.#witnessRequests.inc({ witness, result });
  }

  #logMetrics(source: MetricsSource, registers: Registry[]): void {
    const { logSize, checkpointAgeSeconds } = source;
    new Gauge({
      name: 'registry_log_size',
      help: 'Transparency log tree size (SPEC §13)',
      registers,
      collect() {
        this.set(logSize?.() ?? 0);
      },
    });
    new Gauge({
      name: 'registry_checkpoint_age_seconds',
      help: 'Seconds since the newest cosignature of the served checkpoint (since its signing without witnesses)',
      registers,
      collect() {
        const age = checkpointAgeSeconds?.();
        if (age === undefined) this.reset();
        else this.set(age);
      },
    });
  }

  clusterRefused(): void {
    this.#clusterRefused?.inc();
  }

  /** Cluster mode: one stream message that lost the race for its id's version (expected; no alert). */
  clusterRaced(): void {
    this.#clusterRaces?.inc();
  }

  /**
   * Cluster mode registers its own families (once, at start-up): the NATS connection, the
   * refusals, and stream messages not yet materialized by this instance.
   */
  registerCluster(lag: () => number, connected: () => boolean): void {
    const registers = [this.registry];
    new Gauge({
      name: 'registry_cluster_nats_connected',
      help: '1 while the NATS connection is up; 0 while reconnecting (reads are served, writes answer 503)',
      registers,
      collect() {
        this.set(connected() ? 1 : 0);
      },
    });
    this.#clusterRefused = new Counter({
      name: 'registry_cluster_refused_total',
      help: 'Stream messages refused by this instance because they fail verification (not canonical, not extending the head, no valid quorum)',
      registers,
    });
    this.#clusterRaces = new Counter({
      name: 'registry_cluster_races_total',
      help: 'Stream messages not served because an earlier message took their id and version (two conditional publishes that both entered the stream; the loser got 409)',
      registers,
    });
    new Gauge({
      name: 'registry_cluster_lag_seqs',
      help: 'Stream messages known to this instance and not yet materialized into its view',
      registers,
      collect() {
        this.set(lag());
      },
    });
  }

  /** SPEC §11: a mirror registers its own families (once, at start-up): refusals and lag behind the upstream. */
  registerMirror(lag: () => { seqs: number; seconds: number }): void {
    const registers = [this.registry];
    this.#mirrorRefused = new Counter({
      name: 'registry_mirror_refused_total',
      help: 'Upstream log entries a mirror refused (seq gap, head not advancing by one, not verifying, upstream behind)',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of MIRROR_REASONS) this.#mirrorRefused.inc({ reason }, 0);
    new Gauge({
      name: 'registry_mirror_lag_seqs',
      help: 'Upstream log entries known to a mirror and not yet served by it',
      registers,
      collect() {
        this.set(lag().seqs);
      },
    });
    new Gauge({
      name: 'registry_mirror_lag_seconds',
      help: 'Seconds since a mirror was last known to be current with its upstream (0 while it is)',
      registers,
      collect() {
        this.set(lag().seconds);
      },
    });
  }

  /**
   * Count one HTTP response. Hot path: after the first request of a (route, method, status)
   * it is three Map lookups and a few number increments.
   *
   * @param route the route TEMPLATE that matched (e.g. `/v1/registry/descriptors/:id`),
   *   never the raw path (SPEC §9); pass `UNMATCHED_ROUTE` when no route matched. Past
   *   `maxRoutes` distinct values, new ones are counted as `unmatched`.
   * @param method the request method; non-standard ones are labelled `OTHER`.
   * @param status the response status code.
   * @param seconds time from request start to response.
   */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.#requests.observe(route, method, status, seconds);
  }

  /** A successful apply and its latency. */
  applied(seconds: number): void {
    this.#updateApplied.inc();
    this.#applyLatency.observe(seconds);
  }

  /**
   * A rejected apply: `registry_update_total{result="invalid_sig"}` if `invalidSig`, else
   * `{result="rejected"}`, and `rejected_total{reason=code}`.
   */
  rejected(code: ErrorCode, invalidSig: boolean): void {
    (invalidSig ? this.#updateInvalidSig : this.#updateRejected).inc();
    this.#rejectedBy.get(code)?.inc();
  }

  /**
   * Any other request answered with an error envelope: `rejected_total{reason=code}` only.
   * Count `StoreUnavailable` on writes here too; the writes-degraded alert watches it.
   */
  rejectedRequest(code: ErrorCode): void {
    this.#rejectedBy.get(code)?.inc();
    if (code === 'Internal') this.#internal.inc();
  }

  /** SPEC §9 `registry_schema_validations_total{result}`. */
  schemaValidation(valid: boolean): void {
    (valid ? this.#validations.valid : this.#validations.invalid).inc();
  }

  /** SPEC §9 `registry_compatibility_checks_total{result}`. */
  compatibilityCheck(compatible: boolean): void {
    (compatible ? this.#compatibility.compatible : this.#compatibility.incompatible).inc();
  }

  /** One service restart (e.g. the engine re-opened after a store failure). */
  restart(): void {
    this.#restarts.inc();
  }

  /** Prometheus text exposition of every metric; reads the source getters once. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
