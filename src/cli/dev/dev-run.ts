import { existsSync } from 'node:fs';
import { RegistryClient } from '../../client/index.js';
import { type GovernanceBody, isRegistryError } from '../../core/index.js';
import type { CommandContext, Output, Values } from '../command.types.js';
import { parseConfig } from '../config.js';
import { type Running, serve } from '../serve.js';
import { stopOnSignals } from '../serve-command.js';
import { UsageError } from '../usage-error.js';
import { optString } from '../values.js';
import { devBanner } from './dev-banner.js';
import { seedSamples } from './dev-seed.js';
import { DEV_THRESHOLD, type DevState, ensureDevState } from './dev-state.js';

/** How to run this same CLI from another shell. */
function cliInvocation(): string {
  return ['node', ...process.execArgv, process.argv[1] ?? 'registry'].join(' ');
}

export interface DevServer {
  readonly running: Running;
  readonly state: DevState;
  /** The governance in force: the dev keys at first, whatever the rotation runbook made later. */
  readonly governance: GovernanceBody;
  readonly seeded: readonly string[];
  readonly kept: readonly string[];
}

/**
 * Creates or loads the DEV ONLY state, serves it, and seeds the samples over HTTP through
 * the real propose/cosign/apply path. A failed seeding stops the server again.
 */
export async function startDevServer(values: Values, env: CommandContext['env']): Promise<DevServer> {
  const state = ensureDevState(optString(values, 'dir') ?? './_data');
  const bind = optString(values, 'bind') ?? '127.0.0.1:9402';
  // SPEC §3: the stored governance is authoritative. The dev keys are only the genesis of an
  // empty store; after the rotation runbook they need not be the signer set any more.
  const fresh = !existsSync(state.dbPath);
  let running: Running;
  try {
    const config = parseConfig(
      {
        ...env,
        LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
        AMNESIA: 'false',
        MIRROR_OF: '',
        READ_AUTH: 'false',
        METRICS_ADDR: '',
        MACAROON_ROOT_KEY: state.rootKeyHex,
        SIGNER_ALLOWLIST: fresh ? state.keys.map((k) => k.signerId).join(',') : '',
        SIG_THRESHOLD: fresh ? String(DEV_THRESHOLD) : '',
        REGISTRY_DB: state.dbPath,
      },
      { bind },
    );
    running = await serve(config);
  } catch (err) {
    const cause = isRegistryError(err) ? err.cause : err;
    if ((cause as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE') {
      throw new UsageError(
        `${bind} is in use (another registry dev?)`,
        'stop it, or pass --bind 127.0.0.1:9403',
      );
    }
    if (isRegistryError(err, 'BadRequest') || isRegistryError(err, 'StoreUnavailable')) {
      throw new UsageError(err.message, `delete ${state.dir} to start over with fresh dev keys`);
    }
    throw err;
  }
  try {
    const client = new RegistryClient({ baseUrl: running.url, token: state.token });
    const { seeded, kept } = await seedSamples(client, state.keys, Date.now());
    const gov = running.state.registry?.snapshot.governance;
    const governance = { signers: [...(gov?.signers ?? [])], threshold: gov?.threshold ?? DEV_THRESHOLD };
    return { running, state, governance, seeded, kept };
  } catch (err) {
    await running.stop();
    throw err;
  }
}

/** The banner (human) or one JSON object (`--json`, for scripts and tests). */
export function printDev(out: Output, dev: DevServer, cli: string, cwd: string): void {
  const { running, state, governance, seeded, kept } = dev;
  if (out.json) {
    out.value({
      dev_only: true,
      url: running.url,
      api: `${running.url}/v1/registry`,
      dir: state.dir,
      db: state.dbPath,
      signers: state.keys.map((k, i) => ({ signer_id: k.signerId, key_file: state.keyFiles[i] })),
      threshold: governance.threshold,
      governance_signers: governance.signers,
      token: state.token,
      token_file: state.tokenFile,
      first_run: state.created,
      seeded,
      kept,
    });
  } else {
    out.line(devBanner({ url: running.url, state, governance, seeded, kept, cli, cwd }));
  }
}

/** `registry dev`: loaded on demand, so the other commands do not load the server. */
export async function runDev({ values, env, out }: CommandContext): Promise<number> {
  const dev = await startDevServer(values, env);
  stopOnSignals(dev.running);
  printDev(out, dev, cliInvocation(), process.cwd());
  return -1;
}
