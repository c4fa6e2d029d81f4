/**
 * SPEC §10 governed writes over HTTP, as users meet them: a spawned `registry serve` (fresh
 * LevelDB store, fsync on) takes pre-signed service descriptors (2 of 3 TEST ONLY keys) from
 * wrk + bench/writes.lua, (a) as POST /proposals then POST /apply/{id}, (b) as the
 * one-request POST /apply; the anchor, in the same run with the same wrk threads, is Debian's
 * etcd 3.4 taking the same bytes over its JSON gateway (POST /v3/kv/put). Every request body
 * is used once. Registry descriptors/s = the global version's growth over the run.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintToken } from '../src/http/capability.js';
import { KEYS } from '../test/helpers/fixtures.js';
import type { BenchMetric, BenchRatio, BenchResult } from './bench.types.js';
import { benchDescriptor } from './descriptors.js';

const SCRIPT = fileURLToPath(new URL('./writes.lua', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const ROOT_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'; // TEST ONLY
const SECONDS = Number(process.env.WRITES_SECONDS ?? 8);
const THREADS = 2;
const PER_RUN = Number(process.env.WRITES_BODIES ?? 40_000);

function need(bin: string, pkg: string): string {
  const find = () => execFileSync('sh', ['-c', `command -v ${bin} || true`], { encoding: 'utf8' }).trim();
  if (find() === '') {
    execFileSync(
      'apt-get',
      ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-q', '--no-install-recommends', pkg],
      {
        stdio: 'inherit',
      },
    );
  }
  return find();
}

async function until(url: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready`);
}

function wrk(bin: string, url: string, mode: string, file: string, token: string, conns: number) {
  const args = [
    `-t${THREADS}`,
    `-c${conns}`,
    `-d${SECONDS}s`,
    '-s',
    SCRIPT,
    url,
    '--',
    mode,
    file,
    token,
    String(THREADS),
  ];
  const out = execFileSync(bin, args, { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return { rps, non2xx };
}

async function version(url: string): Promise<number> {
  return ((await (await fetch(`${url}/v1/registry/version`)).json()) as { version: number }).version;
}

/** Bodies for one run: registry proposal bodies, and etcd put bodies of the same bytes. */
function bodies(dir: string, tag: string): { registry: string; etcd: string } {
  const reg: string[] = [];
  const etcd: string[] = [];
  for (let i = 0; i < PER_RUN; i++) {
    const { payload, signatures } = benchDescriptor(i, tag, [KEYS[0], KEYS[1]]);
    const line = JSON.stringify({ descriptor: payload, signatures });
    reg.push(line);
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    etcd.push(JSON.stringify({ key: b64(`${tag}/${payload.id}`), value: b64(line) }));
  }
  const r = join(dir, `${tag}.reg`);
  const e = join(dir, `${tag}.etcd`);
  writeFileSync(r, `${reg.join('\n')}\n`);
  writeFileSync(e, `${etcd.join('\n')}\n`);
  return { registry: r, etcd: e };
}

/** The raw figures of one run: per connection count, etcd puts/s and registry descriptors/s. */
export async function writesRun(): Promise<{
  seconds: number;
  threads: number;
  rows: Record<string, number>[];
}> {
  const wrkBin = need('wrk', 'wrk');
  const etcdBin = need('etcd', 'etcd-server');
  const dir = mkdtempSync(join(tmpdir(), 'bench-writes-'));
  const children: ChildProcess[] = [];
  try {
    const etcdUrl = 'http://127.0.0.1:23790';
    children.push(
      spawn(
        etcdBin,
        [
          '--name',
          'bench',
          '--data-dir',
          join(dir, 'etcd'),
          '--listen-client-urls',
          etcdUrl,
          '--advertise-client-urls',
          etcdUrl,
          '--listen-peer-urls',
          'http://127.0.0.1:23800',
          '--initial-advertise-peer-urls',
          'http://127.0.0.1:23800',
          '--initial-cluster',
          'bench=http://127.0.0.1:23800',
          '--log-level',
          'error',
        ],
        { stdio: 'ignore' },
      ),
    );
    const regUrl = 'http://127.0.0.1:29402';
    const env = {
      ...process.env,
      MACAROON_ROOT_KEY: ROOT_KEY,
      SIGNER_ALLOWLIST: KEYS.slice(0, 3)
        .map((k) => k.signerId)
        .join(','),
      SIG_THRESHOLD: '2',
      REGISTRY_DB: join(dir, 'registry'),
      BIND: '127.0.0.1:29402',
      WRITE_RATE: '1000000',
      LOG_LEVEL: 'warn',
    };
    const nodeArgs = [
      ...(process.env.WRITES_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.WRITES_CPU_PROF}`] : []),
    ];
    const serve = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', MAIN, 'serve'], {
      env,
      stdio: 'ignore',
    });
    children.push(serve);
    await until(`${etcdUrl}/health`);
    await until(`${regUrl}/readyz`);
    const token = mintToken(ROOT_KEY, {
      identifier: 'bench-writes',
      scopes: ['registry:propose', 'registry:apply'],
    });
    const rows: Record<string, number>[] = [];
    for (const conns of [64, 16]) {
      const out: Record<string, number> = {};
      for (const mode of ['etcd', 'propose', 'apply'] as const) {
        const files = bodies(dir, `${mode}-${conns}`);
        if (mode === 'etcd') {
          const r = wrk(wrkBin, etcdUrl, 'etcd', files.etcd, '', conns);
          out.etcd = r.rps;
          out.etcd_non2xx = r.non2xx;
          continue;
        }
        const before = await version(regUrl);
        const r = wrk(wrkBin, regUrl, mode, files.registry, token, conns);
        out[mode] = ((await version(regUrl)) - before) / SECONDS;
        out[`${mode}_non2xx`] = r.non2xx;
      }
      rows.push({
        connections: conns,
        ...out,
        ratio_propose_apply: (out.propose ?? 0) / (out.etcd ?? 1),
        ratio_one_request: (out.apply ?? 0) / (out.etcd ?? 1),
      });
    }
    return { seconds: SECONDS, threads: THREADS, rows };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** bench/run.ts entry: one run (etcd, propose + apply, one-request apply) at 64 and 16 connections. */
export async function writesBench(): Promise<BenchResult> {
  const r = await writesRun();
  const metrics: BenchMetric[] = [];
  const ratios: BenchRatio[] = [];
  for (const row of r.rows) {
    const c = row.connections;
    metrics.push(
      {
        label: `etcd 3.4 puts/s, ${c} connections`,
        value: row.etcd ?? 0,
        unit: '/s',
        rounds: [row.etcd ?? 0],
      },
      {
        label: `descriptors/s, propose + apply, ${c} connections`,
        value: row.propose ?? 0,
        unit: '/s',
        rounds: [row.propose ?? 0],
      },
      {
        label: `descriptors/s, one-request POST /apply, ${c} connections`,
        value: row.apply ?? 0,
        unit: '/s',
        rounds: [row.apply ?? 0],
      },
    );
    ratios.push(
      {
        label: `propose + apply ÷ etcd puts, ${c} connections (bar ≥ 1.0)`,
        value: row.ratio_propose_apply ?? 0,
      },
      {
        label: `one-request apply ÷ etcd puts, ${c} connections (bar ≥ 2.0)`,
        value: row.ratio_one_request ?? 0,
      },
    );
  }
  return {
    name: 'writes',
    title: 'Governed writes over HTTP vs etcd 3.4 puts (SPEC §10)',
    params: { seconds: r.seconds, wrk_threads: r.threads, signers: '2 of 3', fsync: 'on' },
    metrics,
    ratios,
    notes: [
      'registry serve spawned (node --import tsx src/cli/main.ts serve), fresh LevelDB store; etcd 3.4 (Debian etcd-server) on loopback, fresh data dir; same wrk threads and connections, one body per request.',
      'descriptors/s = growth of the global version over the wrk run; etcd = wrk Requests/sec (every request one put).',
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writesRun().then((r) => console.log(JSON.stringify(r, null, 2)));
}
