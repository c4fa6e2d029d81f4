/**
 * `npm run bench [-- name ...] [-- --record]`: runs the registered benchmarks (all of them,
 * or only the named ones), prints each result, and with `--record` writes it into
 * bench/RESULTS.md (replacing that benchmark's previous section).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Bench, BenchResult } from './bench.types.js';

/** One line per benchmark; each module is imported only when it runs. */
const BENCHES: Readonly<Record<string, Bench>> = {
  verify: async () => (await import('./verify.js')).verifyBench(),
  apply: async () => (await import('./apply.js')).applyBench(),
  startup: async () => (await import('./startup.js')).startupBench(),
  read: async () => (await import('./read.js')).readBench(),
  watch: async () => (await import('./watch.js')).watchBench(),
  crash: async () => (await import('./crash-drill.js')).crashDrillBench(),
  soak: async () => (await import('./soak.js')).soakBench(),
  mirror: async () => (await import('./mirror.js')).mirrorBench(),
  failover: async () => (await import('./failover.js')).failoverBench(),
  cluster: async () => (await import('./cluster.js')).clusterBench(),
  schema: async () => (await import('./schema-validate.js')).schemaValidateBench(),
  writes: async () => (await import('./writes.js')).writesBench(),
};

const RESULTS = fileURLToPath(new URL('RESULTS.md', import.meta.url));

const INTRO = `# Benchmark results

Run \`npm run bench\` (every benchmark), \`npm run bench -- verify\` (one), and add
\`--record\` to write the figures here (\`npm run bench -- verify --record\`): each benchmark
owns one section below, replaced on every recorded run.

The machine is a noisy 2-core VM: absolute figures move by 10-20 % from run to run. What
matters are the ratios against the bare baseline measured in the same run, and the medians of
several rounds (each section lists every round).
`;

interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly os: string;
  readonly commit: string;
}

function machine(): Machine {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // Not a git checkout (a published package): the figures still stand, just unpinned.
  }
  const all = cpus();
  return {
    cpu: all[0]?.model ?? 'unknown',
    cores: all.length,
    node: process.version,
    os: `${platform()} ${release()}`,
    commit,
  };
}

const fmt = (x: number, digits = 0): string =>
  x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function print(r: BenchResult): void {
  console.log(`\n== ${r.name}: ${r.title}`);
  for (const [k, v] of Object.entries(r.params)) console.log(`   ${k}: ${v}`);
  const width = Math.max(...r.metrics.map((m) => m.label.length), ...r.ratios.map((x) => x.label.length));
  for (const m of r.metrics) {
    const rounds = m.rounds.map((x) => fmt(x)).join(', ');
    console.log(`   ${m.label.padEnd(width)}  ${fmt(m.value).padStart(12)} ${m.unit}  (rounds: ${rounds})`);
  }
  for (const x of r.ratios) console.log(`   ${x.label.padEnd(width)}  ${fmt(x.value, 2).padStart(12)} ×`);
}

/** A Markdown table padded the way Biome's formatter writes it, so `biome check` stays clean. */
function table(
  head: readonly string[],
  align: readonly ('left' | 'right')[],
  rows: readonly string[][],
): string[] {
  const widths = head.map((h, c) => Math.max(3, h.length, ...rows.map((row) => (row[c] ?? '').length)));
  const cell = (text: string, c: number): string => {
    const w = widths[c] ?? 0;
    return align[c] === 'right' ? text.padStart(w) : text.padEnd(w);
  };
  const line = (cells: readonly string[]): string => `| ${cells.map((t, c) => cell(t, c)).join(' | ')} |`;
  const rule = widths.map((w, c) => (align[c] === 'right' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)));
  return [line(head), `| ${rule.join(' | ')} |`, ...rows.map(line)];
}

function section(r: BenchResult, m: Machine): string {
  const lines = [
    `<!-- bench:${r.name} -->`,
    `## ${r.name}: ${r.title}`,
    '',
    `Recorded ${new Date().toISOString().slice(0, 10)} at commit \`${m.commit}\`: ${m.cores} × ${m.cpu}, ` +
      `Node ${m.node}, ${m.os}. Command: \`npm run bench -- ${r.name} --record\`.`,
    '',
    ...Object.entries(r.params).map(([k, v]) => `- ${k}: ${v}`),
    '',
    ...table(
      ['what', 'median', 'unit', 'rounds'],
      ['left', 'right', 'left', 'left'],
      r.metrics.map((x) => [x.label, fmt(x.value), x.unit, x.rounds.map((y) => fmt(y)).join(', ')]),
    ),
    '',
    ...table(
      ['ratio', 'value'],
      ['left', 'right'],
      r.ratios.map((x) => [x.label, `${fmt(x.value, 2)} ×`]),
    ),
    '',
    ...r.notes.map((n) => `- ${n}`),
    `<!-- /bench:${r.name} -->`,
  ];
  return lines.join('\n');
}

/** Replaces the benchmark's section in RESULTS.md, or appends it; creates the file if needed. */
function record(r: BenchResult, m: Machine): void {
  const text = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : INTRO;
  const start = `<!-- bench:${r.name} -->`;
  const end = `<!-- /bench:${r.name} -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const next =
    i >= 0 && j > i
      ? `${text.slice(0, i)}${section(r, m)}${text.slice(j + end.length)}`
      : `${text.trimEnd()}\n\n${section(r, m)}\n`;
  writeFileSync(RESULTS, next);
  console.log(`   recorded in bench/RESULTS.md`);
}

async function main(args: readonly string[]): Promise<number> {
  const flags = args.filter((a) => a.startsWith('--'));
  const names = args.filter((a) => !a.startsWith('--'));
  const unknownFlag = flags.find((f) => f !== '--record');
  if (unknownFlag !== undefined) {
    console.error(
      `unknown option ${unknownFlag}; usage: npm run bench -- [${Object.keys(BENCHES).join('|')} ...] [--record]`,
    );
    return 2;
  }
  const unknown = names.filter((n) => !Object.hasOwn(BENCHES, n));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
    return 2;
  }
  const m = machine();
  console.log(`machine: ${m.cores} × ${m.cpu}, Node ${m.node}, ${m.os}, commit ${m.commit}`);
  for (const name of names.length > 0 ? names : Object.keys(BENCHES)) {
    const bench = BENCHES[name];
    if (bench === undefined) continue;
    const result = await bench();
    if ('skipped' in result) {
      console.log(`\n== ${result.name}: SKIPPED, ${result.skipped}`);
      continue;
    }
    print(result);
    if (flags.includes('--record')) record(result, m);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
