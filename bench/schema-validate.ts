/**
 * SPEC §10 schema validation bar: `POST /schemas/{id}/validate` of a ~1 KB value against a
 * 20-property schema, req/s ≥ 0.8 × head reads, both measured with wrk against one spawned
 * `registry serve` (node + tsx on src/cli/main.ts), rounds alternating, in the same run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RegistryClient } from '../src/client/index.js';
import { signPayload } from '../src/core/index.js';
import { mintToken } from '../src/http/capability.js';
import { GENESIS, KEYS, NOW, servicePayload } from '../test/helpers/fixtures.js';
import { schemaPayload, twentyProperties } from '../test/helpers/schema-fixtures.js';
import type { BenchResult, BenchSkipped } from './bench.types.js';
import { median } from './measure.js';
import { findWrk } from './wrk.js';

const ROOT_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const ROUNDS = 3;
const SECONDS = 5;
const THREADS = 2;
const CONNECTIONS = 32;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

async function ready(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`registry serve exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('registry serve did not become ready in 30 s');
}

function wrk(bin: string, args: readonly string[]): Promise<{ rps: number; non2xx: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${SECONDS}s`, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`wrk exited with ${code}: ${out}`));
      const rps = Number(/Requests\/sec:\s+([0-9.]+)/.exec(out)?.[1] ?? Number.NaN);
      resolve({ rps, non2xx: Number(/Non-2xx or 3xx responses: ([0-9]+)/.exec(out)?.[1] ?? 0) });
    });
  });
}

export async function schemaValidateBench(): Promise<BenchResult | BenchSkipped> {
  const bin = findWrk();
  if (bin === undefined) return { name: 'schema', skipped: 'wrk is not installed (apt-get install wrk)' };
  const dir = mkdtempSync(join(tmpdir(), 'registry-bench-schema-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'serve'], {
    env: {
      ...process.env,
      BIND: `127.0.0.1:${port}`,
      REGISTRY_DB: join(dir, 'db'),
      SIGNER_ALLOWLIST: GENESIS.signers.join(','),
      SIG_THRESHOLD: String(GENESIS.threshold),
      MACAROON_ROOT_KEY: ROOT_KEY,
      LOG_LEVEL: 'warn',
      WRITE_RATE: '100000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await ready(url, child);
    const token = mintToken(ROOT_KEY, {
      identifier: 'bench',
      scopes: ['registry:read', 'registry:propose', 'registry:apply'],
    });
    const client = new RegistryClient({ baseUrl: url, token });
    const { schema, value } = twentyProperties();
    for (const p of [
      schemaPayload('bench-schema', { format: 'json-schema', schema }),
      servicePayload('svc-bench@us-east-1'),
    ]) {
      const s = await client.propose(
        p,
        [KEYS[0], KEYS[1]].map((k) => signPayload(p, k, NOW)),
      );
      await client.apply(s.proposal_id);
    }
    const body = JSON.stringify(value);
    const check = await client.validateRemote('bench-schema', value);
    if (!check.valid) throw new Error(`the bench value is not valid: ${JSON.stringify(check.errors)}`);
    const lua = join(dir, 'validate.lua');
    writeFileSync(
      lua,
      `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["Content-Type"] = "application/json"\n`,
    );
    const validateUrl = `${url}/v1/registry/schemas/bench-schema/validate`;
    const headUrl = `${url}/v1/registry/descriptors/svc-bench@us-east-1`;
    // Warm-up: compiles the validator once (cached by digest), JITs both paths.
    await wrk(bin, ['-s', lua, validateUrl]);
    await wrk(bin, [headUrl]);
    const heads: number[] = [];
    const validates: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const h = await wrk(bin, [headUrl]);
      const v = await wrk(bin, ['-s', lua, validateUrl]);
      if (h.non2xx > 0 || v.non2xx > 0)
        throw new Error(`non-2xx answers: head ${h.non2xx}, validate ${v.non2xx}`);
      heads.push(h.rps);
      validates.push(v.rps);
      ratios.push(v.rps / h.rps);
    }
    return {
      name: 'schema',
      title: 'POST /schemas/{id}/validate vs head reads, one spawned registry serve (SPEC §10)',
      params: {
        value: `${Buffer.byteLength(body)} bytes, 20 properties`,
        load: `wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s, ${ROUNDS} alternating rounds after a warm-up`,
        server: 'registry serve (node --import tsx src/cli/main.ts), LevelDB on tmp',
      },
      metrics: [
        { label: 'head read', value: median(heads), unit: 'req/s', rounds: heads },
        { label: 'validate', value: median(validates), unit: 'req/s', rounds: validates },
      ],
      ratios: [{ label: 'validate / head read (bar ≥ 0.80)', value: median(ratios) }],
      notes: [
        'Both loads hit the same process in alternating rounds; the ratio is the median of the per-round ratios.',
        'Head reads take the fast lane (exact stored bytes); validate parses the body, checks the SPEC §2 JSON limits, runs the cached ajv validator and writes a JSON answer.',
      ],
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}
