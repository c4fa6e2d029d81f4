/**
 * scripts/cluster-up: a 3-node JetStream cluster and two registry instances in cluster mode
 * (REGISTRY_BACKEND=nats, NATS_REPLICAS=3) on fixed loopback ports, with the DEV ONLY signers
 * and token of `registry dev`. Prints copy-paste commands; SIGINT/SIGTERM stops the
 * registries, then the nats-servers. Run from anywhere: the wrapper cds to the repo root.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { seedSamples } from '../src/cli/dev/dev-seed.js';
import { DEV_THRESHOLD, type DevState, ensureDevState } from '../src/cli/dev/dev-state.js';
import { RegistryClient } from '../src/client/index.js';
import { LogTail, type NatsCluster, startNatsCluster } from '../test/fixtures/nats-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const HELP = `scripts/cluster-up: a local registry cluster (DEV ONLY keys and token)

Starts, on loopback, a 3-node nats-server JetStream cluster, then two registry instances
(A and B) with REGISTRY_BACKEND=nats, NATS_REPLICAS=3 and the DEV ONLY signers (threshold 2),
macaroon root key and token of \`registry dev\`; seeds the sample descriptors through A
(propose, co-sign, apply); prints URLs and commands. Ctrl-C (SIGINT) or SIGTERM stops the
registries, then the nats-servers. A second run reuses the data.

  --dir DIR               data: DIR/nats-1..3, DIR/registry-a, DIR/registry-b, DIR/dev
                          (CLUSTER_DIR, default ./_cluster)
  --nats-ports P,P,P      nats client ports (CLUSTER_NATS_PORTS, default 4222,4223,4224)
  --route-ports P,P,P     nats cluster route ports (CLUSTER_ROUTE_PORTS, default 6222,6223,6224)
  --monitor-ports P,P,P   nats monitoring ports (CLUSTER_MONITOR_PORTS, default 8222,8223,8224)
  --bind-a HOST:PORT      registry A (CLUSTER_BIND_A, default 127.0.0.1:7001)
  --bind-b HOST:PORT      registry B (CLUSTER_BIND_B, default 127.0.0.1:7002)
  --stream NAME           JetStream stream of the registry (NATS_STREAM, default registry)
  --log-level LEVEL       the registries' LOG_LEVEL (default info; logs in DIR/registry-*.log)
  --timeout SECONDS       bound on each wait for readiness (CLUSTER_TIMEOUT, default 60)
  --nats-only             start only the nats cluster
  --no-seed               do not seed the sample descriptors through A
  -h, --help              this text`;

const OPTIONS = {
  dir: { type: 'string' },
  'nats-ports': { type: 'string' },
  'route-ports': { type: 'string' },
  'monitor-ports': { type: 'string' },
  'bind-a': { type: 'string' },
  'bind-b': { type: 'string' },
  stream: { type: 'string' },
  'log-level': { type: 'string' },
  timeout: { type: 'string' },
  'nats-only': { type: 'boolean' },
  'no-seed': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

class Usage extends Error {}

function ports(raw: string, what: string): number[] {
  const list = raw.split(',').map((p) => Number(p.trim()));
  if (list.length !== 3 || list.some((p) => !Number.isInteger(p) || p < 1 || p > 65535))
    throw new Usage(`${what} ${JSON.stringify(raw)}: give three ports, comma-separated`);
  return list;
}

function bind(raw: string, what: string): string {
  if (!/^[^:\s]+:\d{1,5}$/.test(raw)) throw new Usage(`${what} ${JSON.stringify(raw)} is not HOST:PORT`);
  return raw;
}

function settings(argv: readonly string[], env: NodeJS.ProcessEnv) {
  const { values: v } = parseArgs({ args: [...argv], options: OPTIONS, strict: true });
  const seconds = Number(v.timeout ?? env.CLUSTER_TIMEOUT ?? '60');
  if (!(seconds > 0)) throw new Usage(`--timeout ${JSON.stringify(v.timeout)} is not a positive number`);
  return {
    help: v.help === true,
    dir: resolve(v.dir ?? env.CLUSTER_DIR ?? './_cluster'),
    nats: ports(v['nats-ports'] ?? env.CLUSTER_NATS_PORTS ?? '4222,4223,4224', '--nats-ports'),
    routes: ports(v['route-ports'] ?? env.CLUSTER_ROUTE_PORTS ?? '6222,6223,6224', '--route-ports'),
    monitor: ports(v['monitor-ports'] ?? env.CLUSTER_MONITOR_PORTS ?? '8222,8223,8224', '--monitor-ports'),
    bindA: bind(v['bind-a'] ?? env.CLUSTER_BIND_A ?? '127.0.0.1:7001', '--bind-a'),
    bindB: bind(v['bind-b'] ?? env.CLUSTER_BIND_B ?? '127.0.0.1:7002', '--bind-b'),
    stream: v.stream ?? env.NATS_STREAM ?? 'registry',
    logLevel: v['log-level'] ?? 'info',
    timeoutMs: seconds * 1000,
    natsOnly: v['nats-only'] === true,
    seed: v['no-seed'] !== true,
  };
}

type Settings = ReturnType<typeof settings>;

/** One registry instance as a child process, in its own process group (Ctrl-C is ours). */
class Instance {
  readonly tail = new LogTail();
  readonly url: string;
  readonly logFile: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  stopping = false;

  constructor(
    readonly name: string,
    readonly bindAddr: string,
    readonly db: string,
  ) {
    this.url = `http://${bindAddr}`;
    this.logFile = `${db}.log`;
  }

  start(env: NodeJS.ProcessEnv): void {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    // node --import tsx, as `npx tsx src/cli/main.ts serve` does, without npm in between:
    // our SIGTERM reaches the registry itself.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
      cwd: ROOT,
      env: { ...env, REGISTRY_DB: this.db, BIND: this.bindAddr },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    const record = (d: Buffer) => {
      this.tail.push(d.toString());
      log.write(d);
    };
    child.stdout?.on('data', record);
    child.stderr?.on('data', record);
    this.exited = new Promise((done) => {
      child.once('close', (code, signal) => {
        this.child = undefined;
        log.end();
        if (!this.stopping) {
          process.stderr.write(
            `\ncluster-up: registry ${this.name} exited (${signal ?? `code ${code}`}); log tail:\n${this.tail.text(20)}\n`,
          );
        }
        done();
      });
    });
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  kill(): void {
    this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child === undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }

  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (!this.running) break;
      try {
        const res = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return;
        last = `${res.status} ${(await res.text()).slice(0, 300)}`;
      } catch (err) {
        last = (err as Error).message;
      }
      await sleep(250);
    }
    const why = this.running ? `not ready after ${timeoutMs / 1000} s (last: ${last})` : 'exited';
    throw new Error(
      `registry ${this.name} (${this.url}): ${why}\n--- ${relative(process.cwd(), this.logFile)} (tail) ---\n${this.tail.text(30)}`,
    );
  }
}

function banner(s: Settings, cluster: NatsCluster, state: DevState | undefined, seeded: string): string {
  const rel = (p: string) => relative(process.cwd(), p) || '.';
  const natsLines = cluster.nodes.map(
    (n) => `    ${n.name}  ${n.url}  monitor ${n.monitorUrl}  data ${rel(n.dir)}`,
  );
  const head = `
cluster-up: ${state === undefined ? 'nats only (--nats-only)' : 'DEV ONLY. The keys, root key and token below are for local development only.'}

  NATS_URL   ${cluster.urls}  (stream ${s.stream}, R3)
${natsLines.join('\n')}`;
  if (state === undefined)
    return `${head}\n\nCtrl-C stops the nats-servers; the next run reuses ${rel(s.dir)}.\n`;
  const a = `http://${s.bindA}`;
  const b = `http://${s.bindB}`;
  const key1 = rel(state.keyFiles[0] ?? '');
  const key2 = rel(state.keyFiles[1] ?? '');
  const next = rel(join(s.dir, 'next.json'));
  return `${head}

  registry A ${a}/v1/registry   ready ${a}/readyz   log ${rel(join(s.dir, 'registry-a.log'))}
  registry B ${b}/v1/registry   ready ${b}/readyz   log ${rel(join(s.dir, 'registry-b.log'))}
  signers    DEV ONLY, threshold ${DEV_THRESHOLD} of ${state.keys.length}, in ${rel(state.dir)}
  sample     ${seeded}

  DEV ONLY token (all scopes; also in ${rel(state.tokenFile)}):
    ${state.token}

From another shell, in ${process.cwd()}:

  alias registry='node --import tsx src/cli/main.ts'
  export REGISTRY_TOKEN=$(cat ${rel(state.tokenFile)})

Propose, co-sign and apply on A:

  export REGISTRY_URL=${a}
  registry draft --id svc-storage@us-east-1 --body '{"name":"svc-storage","region":"us-east-1","endpoints":[{"addr":"10.0.0.9:443","tls":true,"weight":100}]}' --out ${next}
  registry propose --file ${next} --key ${key1}
  registry cosign --proposal $(registry digest --file ${next}) --key ${key2}
  registry apply --proposal $(registry digest --file ${next})

Read it on B:

  REGISTRY_URL=${b} registry get --id svc-storage@us-east-1
  REGISTRY_URL=${b} registry watch --since 0 --until-current

Ctrl-C (or kill -TERM ${process.pid}) stops the registries, then the nats-servers; the next run reuses ${rel(s.dir)}.
`;
}

/** Seeds the samples through A, then waits until B serves the last of them. */
async function seedThroughA(a: Instance, b: Instance, state: DevState, timeoutMs: number): Promise<string> {
  const onA = new RegistryClient({ baseUrl: a.url, token: state.token });
  const { seeded, kept } = await seedSamples(onA, state.keys, Date.now());
  const onB = new RegistryClient({ baseUrl: b.url, token: state.token });
  const applied = Date.now();
  const deadline = applied + timeoutMs;
  for (const id of [...seeded, ...kept]) {
    for (;;) {
      const head = await onB.get(id).catch(() => undefined);
      if (head !== undefined) break;
      if (Date.now() > deadline) throw new Error(`registry B does not serve ${id} (seeded through A)`);
      await sleep(200);
    }
  }
  const what = seeded.length > 0 ? `seeded through A: ${seeded.join(', ')}` : `present: ${kept.join(', ')}`;
  return `${what}; B served them ${Date.now() - applied} ms after A's last apply`;
}

async function main(argv: readonly string[]): Promise<number> {
  let s: Settings;
  try {
    s = settings(argv, process.env);
  } catch (err) {
    process.stderr.write(`cluster-up: ${(err as Error).message} (see scripts/cluster-up --help)\n`);
    return 2;
  }
  if (s.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  mkdirSync(s.dir, { recursive: true });
  const instances: Instance[] = [];
  let cluster: NatsCluster | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await Promise.all(instances.map((i) => i.stop()));
      await cluster?.stop();
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\ncluster-up: ${signal}, stopping the registries, then the nats-servers\n`);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`cluster-up: stop failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  process.on('exit', () => {
    for (const i of instances) i.kill();
  });

  try {
    process.stderr.write(`cluster-up: starting 3 nats-servers (client ports ${s.nats.join(', ')})\n`);
    cluster = await startNatsCluster(3, {
      dir: s.dir,
      ports: { client: s.nats, cluster: s.routes, monitor: s.monitor },
      timeoutMs: s.timeoutMs,
      detached: true,
    });
    let state: DevState | undefined;
    let seeded = 'not seeded (--no-seed)';
    if (!s.natsOnly) {
      state = ensureDevState(join(s.dir, 'dev'));
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        REGISTRY_BACKEND: 'nats',
        NATS_URL: cluster.urls,
        NATS_REPLICAS: '3',
        NATS_STREAM: s.stream,
        MACAROON_ROOT_KEY: state.rootKeyHex,
        SIGNER_ALLOWLIST: state.keys.map((k) => k.signerId).join(','),
        SIG_THRESHOLD: String(DEV_THRESHOLD),
        LOG_LEVEL: s.logLevel,
        AMNESIA: 'false',
        MIRROR_OF: '',
        METRICS_ADDR: '',
      };
      instances.push(
        new Instance('A', s.bindA, join(s.dir, 'registry-a')),
        new Instance('B', s.bindB, join(s.dir, 'registry-b')),
      );
      process.stderr.write(`cluster-up: starting registries A (${s.bindA}) and B (${s.bindB})\n`);
      for (const i of instances) i.start(env);
      await Promise.all(instances.map((i) => i.waitReady(s.timeoutMs)));
      const [a, b] = instances as [Instance, Instance];
      if (s.seed) seeded = await seedThroughA(a, b, state, s.timeoutMs);
    }
    process.stdout.write(banner(s, cluster, state, seeded));
    return -1;
  } catch (err) {
    process.stderr.write(`cluster-up: ${(err as Error).message}\n`);
    await stop();
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // -1: running until a signal.
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`cluster-up: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
