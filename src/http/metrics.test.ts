import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../core/index.js';
import { Metrics, type MetricsSource, REQUEST_BUCKETS, UNMATCHED_ROUTE } from './metrics.js';

const SPEC_METRICS = [
  'requests_total',
  'request_latency_seconds',
  'registry_descriptors_total',
  'registry_update_total',
  'rejected_total',
  'bus_lagged_total',
  'service_restarts_total',
  'registry_version',
  'registry_apply_latency_seconds',
  'registry_watchers',
  'registry_proposals_pending',
  // SPEC §5 500 Internal: counted apart from refusals.
  'registry_internal_errors_total',
  // SPEC §9/§12 schema verdicts.
  'registry_schema_validations_total',
  'registry_compatibility_checks_total',
  // SPEC §9/§13 transparency log.
  'registry_log_size',
  'registry_checkpoint_age_seconds',
  'registry_witness_requests_total',
] as const;

const HEAD = '/v1/registry/descriptors/:id';

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}
interface Family {
  readonly type: string;
  readonly samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const SAMPLE_RE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?\\})? (\\S+)$`);
const LABEL_RE = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

/** Prometheus text exposition 0.0.4; throws on any line that is not HELP, TYPE or a sample of a typed family. */
function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type?.[1] && type[2]) {
      if (families.has(type[1])) throw new Error(`duplicate TYPE for ${type[1]}`);
      families.set(type[1], { type: type[2], samples: [] });
      continue;
    }
    const m = SAMPLE_RE.exec(line);
    if (!m?.[1] || m[3] === undefined) throw new Error(`not exposition format: ${JSON.stringify(line)}`);
    // Prometheus parses values with Go's ParseFloat: NaN in any case, ±Inf.
    const raw = m[3].toLowerCase();
    const value = raw === 'nan' ? Number.NaN : raw === '+inf' ? Number.POSITIVE_INFINITY : Number(m[3]);
    if (Number.isNaN(value) && raw !== 'nan') throw new Error(`bad value: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL_RE)) if (l[1] && l[2] !== undefined) labels[l[1]] = l[2];
    const name = m[1];
    const base = HISTOGRAM_SUFFIXES.reduce((n, s) => (n.endsWith(s) ? n.slice(0, -s.length) : n), name);
    const family = families.get(name) ?? families.get(base);
    if (!family) throw new Error(`sample without TYPE: ${name}`);
    family.samples.push({ name, labels, value });
  }
  return families;
}

function value(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const base = HISTOGRAM_SUFFIXES.reduce((n, s) => (n.endsWith(s) ? n.slice(0, -s.length) : n), name);
  const family = families.get(name) ?? families.get(base);
  const hits = (family?.samples ?? []).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (hits.length !== 1) throw new Error(`${hits.length} samples of ${name} ${JSON.stringify(labels)}`);
  return hits[0]?.value ?? Number.NaN;
}

function fakeSource() {
  const state = { version: 7, published: 5, deprecated: 2, watchers: 3, pending: 4, lagged: 0 };
  const source: MetricsSource = {
    version: () => state.version,
    counts: () => ({ published: state.published, deprecated: state.deprecated }),
    watchers: () => state.watchers,
    pendingProposals: () => state.pending,
    lagged: () => state.lagged,
  };
  return { state, source };
}

async function scrape(metrics: Metrics): Promise<Map<string, Family>> {
  return parseExposition(await metrics.text());
}

describe('Metrics', () => {
  describe('the exposition', () => {
    it('parses as Prometheus text and has exactly the SPEC §9 families without process metrics', async () => {
      const m = new Metrics(fakeSource().source, { processMetrics: false });
      const families = await scrape(m);
      expect([...families.keys()].sort()).toEqual([...SPEC_METRICS].sort());
      expect(families.get('request_latency_seconds')?.type).toBe('histogram');
      expect(families.get('registry_apply_latency_seconds')?.type).toBe('histogram');
      expect(families.get('registry_version')?.type).toBe('gauge');
      expect(families.get('requests_total')?.type).toBe('counter');
    });

    it('adds the default process metrics on its own registry, not the global one', async () => {
      const a = new Metrics(fakeSource().source);
      const b = new Metrics(fakeSource().source);
      const families = await scrape(a);
      for (const name of SPEC_METRICS) expect(families.has(name), name).toBe(true);
      expect(families.has('process_cpu_user_seconds_total')).toBe(true);
      expect(families.has('nodejs_eventloop_lag_seconds')).toBe(true);
      expect(a.registry).not.toBe(b.registry);
      expect(a.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    });
  });

  describe('observeRequest', () => {
    it('counts requests by route, method and status, and folds them once per scrape', async () => {
      const m = new Metrics(fakeSource().source, { processMetrics: false });
      m.observeRequest(HEAD, 'GET', 200, 0.00005);
      m.observeRequest(HEAD, 'GET', 200, 0.0003);
      m.observeRequest(HEAD, 'GET', 304, 0.003);
      m.observeRequest(UNMATCHED_ROUTE, 'GET', 404, 0.0002);
      let f = await scrape(m);
      expect(value(f, 'requests_total', { route: HEAD, method: 'GET', status: '200' })).toBe(2);
      expect(value(f, 'requests_total', { route: HEAD, method: 'GET', status: '304' })).toBe(1);
      expect(value(f, 'requests_total', { route: 'unmatched', method: 'GET', status: '404' })).toBe(1);

      m.observeRequest(HEAD, 'GET', 200, 0.0001);
      f = await scrape(m);
      expect(value(f, 'requests_total', { route: HEAD, method: 'GET', status: '200' })).toBe(3);
      f = await scrape(m);
      expect(value(f, 'requests_total', { route: HEAD, method: 'GET', status: '200' })).toBe(3);
    });

    it('renders a cumulative latency histogram per route', async () => {
      const m = new Metrics(fakeSource().source, { processMetrics: false });
      for (const s of [0.00005, 0.0001, 0.0003, 0.003, 10]) m.observeRequest(HEAD, 'GET', 200, s);
      const f = await scrape(m);
      const bucket = (le: string) => value(f, 'request_latency_seconds_bucket', { route: HEAD, le });
      expect(bucket('0.0001')).toBe(2); // le is inclusive
      expect(bucket('0.00025')).toBe(2);
      expect(bucket('0.0005')).toBe(3);
      expect(bucket('0.002')).toBe(3);
      expect(bucket('0.005')).toBe(4);
      expect(bucket('2.5')).toBe(4);
      expect(bucket('+Inf')).toBe(5);
      expect(value(f, 'request_latency_seconds_count', { route: HEAD })).toBe(5);
      expect(value(f, 'request_latency_seconds_sum', { route: HEAD })).toBeCloseTo(10.00345, 9);
      const les = f
        .get('request_latency_seconds')
        ?.samples.filter((s) => s.name.endsWith('_bucket'))
        .map((s) => s.labels.le);
      expect(les).toEqual([...REQUEST_BUCKETS.map(String), '+Inf']);
    });

    it('gives the same histogram through the JSON API', async () => {
      const m = new Metrics(fakeSource().source, { processMetrics: false });
      m.observeRequest(HEAD, 'GET', 200, 0.0003);
      const json = await m.registry.getMetricsAsJSON();
      const latency = json.find((f) => f.name === 'request_latency_seconds');
      expect(latency?.values).toContainEqual({
        metricName: 'request_latency_seconds_bucket',
        labels: { route: HEAD, le: 0.0005 },
        value: 1,
      });
      expect(latency?.values).toContainEqual({
        metricName: 'request_latency_seconds_count',
        labels: { route: HEAD },
        value: 1,
      });
    });

    it('folds routes past maxRoutes into unmatched and odd methods into OTHER', async () => {
      const m = new Metrics(fakeSource().source, { processMetrics: false, maxRoutes: 2 });
      m.observeRequest('/a', 'GET', 200, 0.001);
      m.observeRequest('/b', 'GET', 200, 0.001);
      m.observeRequest('/c', 'GET', 200, 0.001);
      m.observeRequest('/d', 'GET', 200, 0.001);
      m.observeRequest('/a', 'BREW', 200, 0.001);
      const f = await scrape(m);
      const routes = new Set(f.get('requests_total')?.samples.map((s) => s.labels.route));
      expect(routes).toEqual(new Set(['/a', '/b', UNMATCHED_ROUTE]));
      expect(value(f, 'requests_total', { route: UNMATCHED_ROUTE, method: 'GET', status: '200' })).toBe(2);
      expect(value(f, 'request_latency_seconds_count', { route: UNMATCHED_ROUTE })).toBe(2);
      expect(value(f, 'requests_total', { route: '/a', method: 'OTHER', status: '200' })).toBe(1);
    });
  });

  describe('write outcomes', () => {
    it('starts every update result and rejection reason at 0', async () => {
      const f = await scrape(new Metrics(fakeSource().source, { processMetrics: false }));
      for (const result of ['applied', 'rejected', 'invalid_sig']) {
        expect(value(f, 'registry_update_total', { result })).toBe(0);
      }
      expect(value(f, 'rejected_total', { reason: 'StoreUnavailable' })).toBe(0);
      expect(f.get('rejected_total')?.samples).toHaveLength(ERROR_CODES.length);
      expect(value(f, 'registry_internal_errors_total', {})).toBe(0);
    });

    it('counts an Internal answer as a rejection and as an internal error', async () => {
      const m = new Metrics(fakeSource().source, { processMetrics: false });
      m.rejectedRequest('Internal');
      m.rejectedRequest('NotFound');
      const f = await scrape(m);
      expect(value(f, 'rejected_total', { reason: 'Internal' })).toBe(1);
      expect(value(f, 'registry_internal_errors_total', {})).toBe(1);
    });

    it('counts applies, rejections by reason, invalid signatures and restarts', async () => {
      const m = new Metrics(fakeSource().source, { processMetrics: false });
      m.applied(0.004);
      m.applied(0.0004);
      m.rejected('BadSignature', true);
      m.rejected('NoQuorum', false);
      m.rejected('StaleVersion', false);
      m.rejectedRequest('StoreUnavailable');
      m.restart();
      const f = await scrape(m);
      expect(value(f, 'registry_update_total', { result: 'applied' })).toBe(2);
      expect(value(f, 'registry_update_total', { result: 'invalid_sig' })).toBe(1);
      expect(value(f, 'registry_update_total', { result: 'rejected' })).toBe(2);
      expect(value(f, 'rejected_total', { reason: 'BadSignature' })).toBe(1);
      expect(value(f, 'rejected_total', { reason: 'NoQuorum' })).toBe(1);
      expect(value(f, 'rejected_total', { reason: 'StoreUnavailable' })).toBe(1);
      expect(value(f, 'registry_apply_latency_seconds_count')).toBe(2);
      expect(value(f, 'registry_apply_latency_seconds_bucket', { le: '0.0005' })).toBe(1);
      expect(value(f, 'registry_apply_latency_seconds_bucket', { le: '0.005' })).toBe(2);
      expect(value(f, 'service_restarts_total')).toBe(1);
    });
  });

  describe('engine gauges', () => {
    it('reflect the source at scrape time', async () => {
      const { state, source } = fakeSource();
      const m = new Metrics(source, { processMetrics: false });
      let f = await scrape(m);
      expect(value(f, 'registry_version')).toBe(7);
      expect(value(f, 'registry_descriptors_total', { state: 'published' })).toBe(5);
      expect(value(f, 'registry_descriptors_total', { state: 'deprecated' })).toBe(2);
      expect(value(f, 'registry_watchers')).toBe(3);
      expect(value(f, 'registry_proposals_pending')).toBe(4);

      Object.assign(state, { version: 9, published: 6, deprecated: 3, watchers: 0, pending: 1 });
      f = await scrape(m);
      expect(value(f, 'registry_version')).toBe(9);
      expect(value(f, 'registry_descriptors_total', { state: 'published' })).toBe(6);
      expect(value(f, 'registry_descriptors_total', { state: 'deprecated' })).toBe(3);
      expect(value(f, 'registry_watchers')).toBe(0);
      expect(value(f, 'registry_proposals_pending')).toBe(1);
    });

    it('mirror the cumulative lagged count, treating a smaller value as a counter reset', async () => {
      const { state, source } = fakeSource();
      const m = new Metrics(source, { processMetrics: false });
      expect(value(await scrape(m), 'bus_lagged_total')).toBe(0);
      state.lagged = 3;
      expect(value(await scrape(m), 'bus_lagged_total')).toBe(3);
      state.lagged = 5;
      expect(value(await scrape(m), 'bus_lagged_total')).toBe(5);
      expect(value(await scrape(m), 'bus_lagged_total')).toBe(5);
      state.lagged = 1;
      expect(value(await scrape(m), 'bus_lagged_total')).toBe(1);
    });
  });
});
