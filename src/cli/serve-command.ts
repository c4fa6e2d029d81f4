import { parseArgs } from 'node:util';
import { isRegistryError, messageOf } from '../core/index.js';
import { type Flags, parseConfig } from './config.js';
import type { Running } from './serve.js';

export const SERVE_HELP = `registry serve: run the registry (SPEC §8 settings; env first, flags override)

  --bind HOST:PORT         listen address (BIND, default 127.0.0.1:0)
  --db PATH                LevelDB directory (REGISTRY_DB, default ./_data)
  --sig-threshold N        genesis threshold (SIG_THRESHOLD, default 2)
  --allow-signer A,B,C     genesis signer_ids, repeatable (SIGNER_ALLOWLIST)
  --amnesia                memory only, nothing on disk (AMNESIA)
  --mirror-of URL          read replica of an upstream registry (MIRROR_OF)
  --metrics-addr HOST:PORT second listener (METRICS_ADDR)
  --log-level LEVEL        fatal|error|warn|info|debug|trace|silent (LOG_LEVEL)
  --read-auth              reads need scope registry:read (READ_AUTH)
  --backend level|nats     embedded LevelDB, or a NATS JetStream cluster (REGISTRY_BACKEND)
  --nats-url URL,URL       cluster servers, with --backend nats (NATS_URL)

Also from env: MACAROON_ROOT_KEY (required), READ_CACHE_CAP, PROPOSAL_TTL, MAX_BODY_BYTES, WRITE_RATE,
NATS_STREAM (registry), NATS_REPLICAS (1; 3 in a 3-node cluster).
Exit codes: 0 after a clean shutdown (SIGTERM/SIGINT), 2 on invalid settings.`;

/** The flags of `registry serve` (also what the CLI's README check looks up). */
export const SERVE_OPTIONS = {
  bind: { type: 'string' },
  db: { type: 'string' },
  'sig-threshold': { type: 'string' },
  'allow-signer': { type: 'string', multiple: true },
  amnesia: { type: 'boolean' },
  'mirror-of': { type: 'string' },
  'metrics-addr': { type: 'string' },
  'log-level': { type: 'string' },
  'read-auth': { type: 'boolean' },
  backend: { type: 'string' },
  'nats-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function serveFlags(argv: readonly string[]): Flags & { help: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    options: SERVE_OPTIONS,
    strict: true,
  });
  const flags: Flags & { help: boolean } = { help: values.help === true };
  if (values.bind !== undefined) flags.bind = values.bind;
  if (values.db !== undefined) flags.db = values.db;
  if (values['sig-threshold'] !== undefined) flags.sigThreshold = values['sig-threshold'];
  if (values['allow-signer'] !== undefined) flags.allowSigner = values['allow-signer'];
  if (values.amnesia !== undefined) flags.amnesia = values.amnesia;
  if (values['mirror-of'] !== undefined) flags.mirrorOf = values['mirror-of'];
  if (values['metrics-addr'] !== undefined) flags.metricsAddr = values['metrics-addr'];
  if (values['log-level'] !== undefined) flags.logLevel = values['log-level'];
  if (values['read-auth'] !== undefined) flags.readAuth = values['read-auth'];
  if (values.backend !== undefined) flags.backend = values.backend;
  if (values['nats-url'] !== undefined) flags.natsUrl = values['nats-url'];
  return flags;
}

/** Runs until SIGTERM/SIGINT, then shuts down cleanly and exits 0 (SPEC §8). */
export function stopOnSignals(running: Running): void {
  const stop = () => {
    running
      .stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        process.stderr.write(`registry: shutdown failed: ${messageOf(err)}\n`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

export async function serveCommand(argv: readonly string[]): Promise<number> {
  let flags: ReturnType<typeof serveFlags>;
  try {
    flags = serveFlags(argv);
  } catch (err) {
    process.stderr.write(`registry serve: ${messageOf(err)}\n`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(`${SERVE_HELP}\n`);
    return 0;
  }
  try {
    const config = parseConfig(process.env, flags);
    // Loaded here so that the other commands start without the server's modules.
    const { serve } = await import('./serve.js');
    const running = await serve(config);
    stopOnSignals(running);
    return -1;
  } catch (err) {
    if (isRegistryError(err, 'BadRequest') || isRegistryError(err, 'StoreUnavailable')) {
      process.stderr.write(`registry serve: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return 2;
    }
    throw err;
  }
}
