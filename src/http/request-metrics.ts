import { Counter, Histogram, type MetricValueWithName, type Registry } from 'prom-client';

/**
 * The request hot path of SPEC §9: `requests_total` and `request_latency_seconds`, counted
 * in plain numbers per (route, method, status) and folded into prom-client at scrape time.
 */

/** The `route` label for requests that matched no route template (404s, scans). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * `request_latency_seconds` buckets: from 100 µs (a head read off the snapshot) to 2.5 s.
 * 0.002 is a bound so the SPEC §10 p99 ≤ 2 ms bar is read exactly, not interpolated.
 */
export const REQUEST_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

/** Node's HTTP parser accepts these; anything else (only possible in-process) is labelled `OTHER`. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/** One `requests_total` series, counted in a plain number and folded into prom-client at scrape. */
interface Cell {
  readonly labels: { route: string; method: string; status: string };
  n: number;
  flushed: number;
}

/** Per-route request state: the latency histogram and the counter cells by method then status. */
interface RouteSlot {
  readonly route: string;
  /** Non-cumulative counts; index `REQUEST_BUCKETS.length` is the `+Inf` overflow. */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
  readonly methods: Map<string, Map<number, Cell>>;
}

type LatencyLabel = 'route' | 'le';
/** `sharedLabels` is read by prom-client's histogram `get()` (empty: no exemplars here). */
type LatencyValue = MetricValueWithName<LatencyLabel> & { sharedLabels: Record<string, never> };
const NO_SHARED: Record<string, never> = {};
const LATENCY_NAME = 'request_latency_seconds';
const LATENCY_HELP = 'HTTP request latency by route template, in seconds';

/**
 * `request_latency_seconds`, rendered from the route slots at scrape time. prom-client's own
 * `observe()` hashes a label object on every call (measured ~260 ns, a bound counter child
 * another ~235 ns, a `${route} ${method} ${status}` key ~140 ns); the request path instead
 * bumps a Float64Array (SPEC §10 read bar).
 *
 * prom-client 15 renders histograms through `getForPromString()` (the registry's text path
 * and `get()` both call it), so that is the one method replaced. It is not documented API:
 * package.json pins prom-client to the version this was tested on (15.1.3), and
 * `metrics.test.ts` checks the text and JSON outputs, which would catch a change on upgrade.
 */
class RouteLatencyHistogram extends Histogram<LatencyLabel> {
  constructor(
    registry: Registry,
    private readonly slots: ReadonlyMap<string, RouteSlot>,
  ) {
    super({
      name: LATENCY_NAME,
      help: LATENCY_HELP,
      labelNames: ['route'],
      buckets: [...REQUEST_BUCKETS],
      registers: [registry],
    });
  }

  async getForPromString(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: LatencyValue[];
  }> {
    const values: LatencyValue[] = [];
    const bucket = `${LATENCY_NAME}_bucket`;
    for (const { route, buckets, sum, count } of this.slots.values()) {
      let cumulative = 0;
      REQUEST_BUCKETS.forEach((le, i) => {
        cumulative += buckets[i] ?? 0;
        values.push({
          metricName: bucket,
          labels: { route, le },
          value: cumulative,
          sharedLabels: NO_SHARED,
        });
      });
      values.push({
        metricName: bucket,
        labels: { route, le: '+Inf' },
        value: count,
        sharedLabels: NO_SHARED,
      });
      values.push({
        metricName: `${LATENCY_NAME}_sum`,
        labels: { route },
        value: sum,
        sharedLabels: NO_SHARED,
      });
      values.push({
        metricName: `${LATENCY_NAME}_count`,
        labels: { route },
        value: count,
        sharedLabels: NO_SHARED,
      });
    }
    return { name: LATENCY_NAME, help: LATENCY_HELP, type: 'histogram', aggregator: 'sum', values };
  }
}

/** Request accounting on `registry`: no label object, no string key, no prom-client call per request. */
export class RequestMetrics {
  readonly #maxRoutes: number;
  readonly #routes = new Map<string, RouteSlot>();

  constructor(registry: Registry, maxRoutes: number) {
    this.#maxRoutes = maxRoutes;
    const registers = [registry];
    const routes = this.#routes;
    new Counter({
      name: 'requests_total',
      help: 'HTTP requests by route template, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
      collect() {
        for (const slot of routes.values()) {
          for (const byStatus of slot.methods.values()) {
            for (const cell of byStatus.values()) {
              if (cell.n === cell.flushed) continue;
              this.inc(cell.labels, cell.n - cell.flushed);
              cell.flushed = cell.n;
            }
          }
        }
      },
    });
    new RouteLatencyHistogram(registry, routes);
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
  observe(route: string, method: string, status: number, seconds: number): void {
    const slot = this.#routes.get(route) ?? this.#newSlot(route);
    const byStatus = slot.methods.get(method) ?? this.#newMethod(slot, method);
    const cell = byStatus.get(status) ?? newCell(slot, byStatus, method, status);
    cell.n++;
    slot.count++;
    slot.sum += seconds;
    let i = 0;
    for (const le of REQUEST_BUCKETS) {
      if (seconds <= le) break;
      i++;
    }
    slot.buckets[i] = (slot.buckets[i] ?? 0) + 1;
  }

  #newSlot(route: string): RouteSlot {
    if (this.#routes.size >= this.#maxRoutes && route !== UNMATCHED_ROUTE) {
      return this.#routes.get(UNMATCHED_ROUTE) ?? this.#newSlot(UNMATCHED_ROUTE);
    }
    const slot: RouteSlot = {
      route,
      buckets: new Float64Array(REQUEST_BUCKETS.length + 1),
      sum: 0,
      count: 0,
      methods: new Map(),
    };
    this.#routes.set(route, slot);
    return slot;
  }

  #newMethod(slot: RouteSlot, method: string): Map<number, Cell> {
    const label = METHODS.has(method) ? method : 'OTHER';
    const existing = slot.methods.get(label);
    if (existing) return existing;
    const byStatus = new Map<number, Cell>();
    slot.methods.set(label, byStatus);
    return byStatus;
  }
}

function newCell(slot: RouteSlot, byStatus: Map<number, Cell>, method: string, status: number): Cell {
  const cell: Cell = {
    labels: { route: slot.route, method: METHODS.has(method) ? method : 'OTHER', status: String(status) },
    n: 0,
    flushed: 0,
  };
  byStatus.set(status, cell);
  return cell;
}
