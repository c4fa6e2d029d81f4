import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../src/http/metrics.js';

const ALERTS = readFileSync(new URL('../deploy/prometheus/alerts.yml', import.meta.url), 'utf8');
/** Grafana's own interpolation syntax, not a JS template. */
const DS_UID = ['$', '{datasource}'].join('');
const DASHBOARD: unknown = JSON.parse(
  readFileSync(new URL('../deploy/grafana/registry.json', import.meta.url), 'utf8'),
);

/** `expr:` values of a rules file: one-line, quoted, or a `|` block (no YAML library, on purpose). */
function alertExprs(yaml: string): string[] {
  const lines = yaml.split('\n');
  const exprs: string[] = [];
  lines.forEach((line, i) => {
    const m = /^(\s*)expr:\s*(.*)$/.exec(line);
    if (!m) return;
    const indent = m[1]?.length ?? 0;
    const rest = (m[2] ?? '').trim();
    if (!/^[|>][-+]?$/.test(rest)) {
      exprs.push(rest.replace(/^(['"])(.*)\1$/, '$2'));
      return;
    }
    const block: string[] = [];
    for (const next of lines.slice(i + 1)) {
      if (next.trim() !== '' && next.length - next.trimStart().length <= indent) break;
      block.push(next.trim());
    }
    exprs.push(block.join(' ').trim());
  });
  return exprs;
}

interface Panel {
  readonly type?: string;
  readonly datasource?: { readonly uid?: string };
  readonly targets?: readonly { readonly expr?: string; readonly datasource?: { readonly uid?: string } }[];
  readonly panels?: readonly Panel[];
}
interface Dashboard {
  readonly schemaVersion: number;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly { readonly name: string; readonly type: string }[] };
}

function isDashboard(v: unknown): v is Dashboard {
  return typeof v === 'object' && v !== null && 'panels' in v && Array.isArray(v.panels) && 'templating' in v;
}

function panelsOf(d: Dashboard): Panel[] {
  const flat = (ps: readonly Panel[]): Panel[] => ps.flatMap((p) => [p, ...flat(p.panels ?? [])]);
  return flat(d.panels);
}

function dashboardExprs(d: Dashboard): string[] {
  return panelsOf(d).flatMap((p) => (p.targets ?? []).flatMap((t) => (t.expr ? [t.expr] : [])));
}

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
]);

/** Metric names a PromQL expression reads: identifiers that are not functions, keywords, labels or durations. */
function metricNames(expr: string): Set<string> {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values, regexes
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '') // grouping labels
    .replace(/\[[^\]]*\]/g, '') // range selectors, including [$__rate_interval]
    .replace(/\$\w+/g, ''); // Grafana variables
  const names = new Set<string>();
  for (const m of stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = m;
    if (!name || call || PROMQL_WORDS.has(name) || name === 'up' || /^(?:inf|nan)$/i.test(name)) continue;
    names.add(name.replace(/_(?:bucket|sum|count)$/, ''));
  }
  return names;
}

async function exportedFamilies(): Promise<Set<string>> {
  const m = new Metrics(
    {
      version: () => 1,
      counts: () => ({ published: 1, deprecated: 0 }),
      watchers: () => 0,
      pendingProposals: () => 0,
      lagged: () => 0,
    },
    { processMetrics: false },
  );
  // A mirror's families too (SPEC §11): the alerts read them.
  m.registerMirror(() => ({ seqs: 0, seconds: 0 }));
  // And a cluster instance's (refusals, lag, the NATS connection).
  m.registerCluster(
    () => 0,
    () => true,
  );
  const text = await m.text();
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].flatMap((t) => (t[1] ? [t[1]] : [])));
}

describe('ops kit', () => {
  describe('metricNames', () => {
    it('finds the metrics of an expression and nothing else', () => {
      expect(
        metricNames(
          'histogram_quantile(0.99, sum by (instance, le) (rate(request_latency_seconds_bucket{route="/a/:id"}[5m]))) > 0.002 and on (instance) up == 1',
        ),
      ).toEqual(new Set(['request_latency_seconds']));
      expect(metricNames('absent(up{job="registry"})')).toEqual(new Set());
    });
  });

  describe('deploy/prometheus/alerts.yml', () => {
    const exprs = alertExprs(ALERTS);

    it('has one expression per alert', () => {
      const alerts = ALERTS.match(/^\s*- alert:/gm) ?? [];
      expect(alerts.length).toBeGreaterThanOrEqual(5);
      expect(exprs).toHaveLength(alerts.length);
    });

    it('reads only metrics that Metrics exports', async () => {
      const exported = await exportedFamilies();
      const used = new Set(exprs.flatMap((e) => [...metricNames(e)]));
      expect(used.size).toBeGreaterThan(0);
      for (const name of used) expect(exported, `${name} is not exported`).toContain(name);
      // The mirror and cluster alerts read families only those modes export.
      for (const name of [
        'registry_mirror_refused_total',
        'registry_mirror_lag_seconds',
        'registry_cluster_refused_total',
        'registry_cluster_lag_seqs',
        'registry_cluster_nats_connected',
      ]) {
        expect(used, `no alert reads ${name}`).toContain(name);
      }
    });

    it('gives every alert a severity, summary, description and runbook', () => {
      const blocks = ALERTS.split(/^\s*- alert:/m).slice(1);
      for (const block of blocks) {
        const name = block.split('\n')[0]?.trim();
        expect(block, `${name}`).toMatch(/^\s+severity: (?:critical|warning|info)$/m);
        for (const key of ['summary', 'description', 'runbook']) {
          expect(block, `${name} ${key}`).toMatch(new RegExp(`^\\s+${key}: \\S`, 'm'));
        }
      }
    });
  });

  describe('deploy/grafana/registry.json', () => {
    if (!isDashboard(DASHBOARD)) throw new Error('registry.json is not a dashboard');
    const dashboard = DASHBOARD;

    it('queries only metrics that Metrics exports, and covers every SPEC §9 metric', async () => {
      const exported = await exportedFamilies();
      const used = new Set(dashboardExprs(dashboard).flatMap((e) => [...metricNames(e)]));
      for (const name of used) expect(exported, `${name} is not exported`).toContain(name);
      expect(used).toEqual(exported);
    });

    it('uses a Prometheus datasource variable for every panel and target', () => {
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
      expect(dashboard.templating.list).toContainEqual(
        expect.objectContaining({ name: 'datasource', type: 'datasource' }),
      );
      for (const p of panelsOf(dashboard).filter((x) => x.type !== 'row')) {
        expect(p.datasource?.uid).toBe(DS_UID);
        for (const t of p.targets ?? []) expect(t.datasource?.uid).toBe(DS_UID);
      }
    });
  });
});
