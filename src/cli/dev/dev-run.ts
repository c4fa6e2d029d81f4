import { RegistryClient } from '../../client/index.js';
import { isRegistryError } from '../../core/index.js';
import type { CommandContext } from '../command.types.js';
import { parseConfig } from '../config.js';
import { type Running, serve } from '../serve.js';
import { stopOnSignals } from '../serve-command.js';
import { UsageError } from '../usage-error.js';
import { optString } from '../values.js';
import { devBanner } from './dev-banner.js';
import { seedSamples } from './dev-seed.js';
import { DEV_THRESHOLD, ensureDevState } from './dev-state.js';

/** How to run this same CLI from another shell. */
function cliInvocation(): string {
  return ['node', ...process.execArgv, process.argv[1] ?? 'registry'].join(' ');
}

/** `registry dev`: loaded on demand, so the other commands do not load the server. */
export async function runDev({ values, env, out }: CommandContext): Promise<number> {
  const state = ensureDevState(optString(values, 'dir') ?? './_data');
  const bind = optString(values, 'bind') ?? '127.0.0.1:9402';
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
        SIGNER_ALLOWLIST: state.keys.map((k) => k.signerId).join(','),
        SIG_THRESHOLD: String(DEV_THRESHOLD),
        REGISTRY_DB: state.dbPath,
      },
      { bind },
    );
    running = await serve(config);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
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
  stopOnSignals(running);
  const client = new RegistryClient({ baseUrl: running.url, token: state.token });
  const { seeded, kept } = await seedSamples(client, state.keys, Date.now());
  if (out.json) {
    out.value({
      dev_only: true,
      url: running.url,
      api: `${running.url}/v1/registry`,
      dir: state.dir,
      db: state.dbPath,
      signers: state.keys.map((k, i) => ({ signer_id: k.signerId, key_file: state.keyFiles[i] })),
      threshold: DEV_THRESHOLD,
      token: state.token,
      token_file: state.tokenFile,
      first_run: state.created,
      seeded,
      kept,
    });
  } else {
    out.line(devBanner({ url: running.url, state, seeded, kept, cli: cliInvocation(), cwd: process.cwd() }));
  }
  return -1;
}
