import { type GovernanceBody, messageOf, parseAllowList, RegistryError } from '../core/index.js';
import { parseTlogConfig, type TlogConfig } from './config-tlog.js';
import { parseDuration } from './duration.js';

/** SPEC §8 settings after env, then flags, then validation. */
export interface Config {
  readonly bind: { host: string; port: number };
  readonly db: string;
  /** True when REGISTRY_DB or --db was given explicitly (amnesia guardrail). */
  readonly dbExplicit: boolean;
  readonly genesis: GovernanceBody | undefined;
  readonly readCacheCap: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly metricsAddr: { host: string; port: number } | undefined;
  readonly amnesia: boolean;
  /** Undefined only for a mirror without READ_AUTH: it takes no writes and needs no tokens. */
  readonly macaroonRootKey: string | undefined;
  readonly proposalTtlMs: number;
  readonly maxBodyBytes: number;
  readonly writeRate: number;
  readonly readAuth: boolean;
  readonly mirrorOf: string | undefined;
  /** Bearer token for an upstream that runs with READ_AUTH=true (env only: never in argv). */
  readonly mirrorToken: string | undefined;
  /** SPEC §7 OIDC tokens: the issuers file (OIDC_ISSUERS), read and checked by `serve` at start. */
  readonly oidcIssuers: string | undefined;
  /** Cluster mode (REGISTRY_BACKEND=nats): undefined for the embedded LevelDB default. */
  readonly nats: NatsConfig | undefined;
  /** SPEC §8/§13 transparency log and witness settings. */
  readonly tlog: TlogConfig;
}

export interface NatsConfig {
  readonly servers: readonly string[];
  readonly stream: string;
  readonly replicas: number;
}

/** A setting that cannot be used: `serve` prints the message on one line and exits 2. */
export function configError(message: string): RegistryError {
  return new RegistryError('BadRequest', message, 'see README "Configuration"');
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function bool(raw: string | undefined, name: string, dflt: boolean): boolean {
  if (raw === undefined || raw === '') return dflt;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw configError(`${name}=${JSON.stringify(raw)} is not a boolean (true or false)`);
}

function int(raw: string | undefined, name: string, dflt: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!/^[0-9]+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw configError(`${name}=${JSON.stringify(raw)} must be an integer from ${min} to ${max}`);
  }
  return n;
}

export function parseAddr(raw: string, name: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]*):([0-9]{1,5})$/.exec(raw.trim());
  const port = Number(m?.[2]);
  if (m === null || port > 65535) throw configError(`${name}=${JSON.stringify(raw)} is not host:port`);
  const host = (m[1] as string).replace(/^\[|\]$/g, '');
  return { host: host === '' ? '127.0.0.1' : host, port };
}

export interface Flags {
  bind?: string;
  db?: string;
  sigThreshold?: string;
  allowSigner?: string[];
  amnesia?: boolean;
  mirrorOf?: string;
  logLevel?: string;
  metricsAddr?: string;
  readAuth?: boolean;
  backend?: string;
  natsUrl?: string;
}

/**
 * SPEC §8: env first, flags override; every guardrail fails with a RegistryError whose
 * message is the one line `serve` prints before exiting 2.
 */
export function parseConfig(env: Readonly<Record<string, string | undefined>>, flags: Flags = {}): Config {
  const bind = parseAddr(flags.bind ?? (env.BIND || '127.0.0.1:9402'), 'BIND');
  const db = flags.db ?? env.REGISTRY_DB ?? './_data';
  const amnesia = flags.amnesia ?? bool(env.AMNESIA, 'AMNESIA', false);
  const signers = (flags.allowSigner ?? (env.SIGNER_ALLOWLIST === undefined ? [] : [env.SIGNER_ALLOWLIST]))
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const thresholdRaw = flags.sigThreshold ?? env.SIG_THRESHOLD;
  let genesis: GovernanceBody | undefined;
  if (signers.length > 0) {
    const threshold = thresholdRaw === undefined || thresholdRaw === '' ? 2 : Number(thresholdRaw);
    if (thresholdRaw !== undefined && thresholdRaw !== '' && !/^[0-9]+$/.test(thresholdRaw.trim())) {
      throw configError(`SIG_THRESHOLD=${JSON.stringify(thresholdRaw)} is not an integer`);
    }
    try {
      genesis = parseAllowList(signers, threshold);
    } catch (err) {
      throw configError(messageOf(err));
    }
  } else if (thresholdRaw !== undefined && thresholdRaw !== '') {
    throw configError('SIG_THRESHOLD is set but SIGNER_ALLOWLIST is empty');
  }
  const key = env.MACAROON_ROOT_KEY ?? '';
  const mirrorOfRaw = flags.mirrorOf ?? env.MIRROR_OF;
  const readAuthRaw = flags.readAuth ?? bool(env.READ_AUTH, 'READ_AUTH', false);
  // A mirror refuses every write (ReadOnly) and, without READ_AUTH, reads need no token.
  const needsKey = key !== '' || mirrorOfRaw === undefined || mirrorOfRaw === '' || readAuthRaw;
  if (needsKey && !/^([0-9a-fA-F]{2}){32,}$/.test(key)) {
    throw configError('MACAROON_ROOT_KEY must be hex of at least 32 bytes (64 hex digits)');
  }
  const level = (flags.logLevel ?? (env.LOG_LEVEL || 'info')) as Config['logLevel'];
  if (!LEVELS.includes(level))
    throw configError(`LOG_LEVEL=${JSON.stringify(level)} must be one of ${LEVELS.join(', ')}`);
  const metricsRaw = flags.metricsAddr ?? env.METRICS_ADDR;
  const mirrorOf = flags.mirrorOf ?? env.MIRROR_OF;
  if (mirrorOf !== undefined && mirrorOf !== '' && !isHttpUrl(mirrorOf)) {
    throw configError(`MIRROR_OF=${JSON.stringify(mirrorOf)} is not an http(s) URL`);
  }
  return {
    bind,
    db,
    dbExplicit: flags.db !== undefined || env.REGISTRY_DB !== undefined,
    genesis,
    readCacheCap: int(env.READ_CACHE_CAP, 'READ_CACHE_CAP', 8192, 0, 10_000_000),
    logLevel: level,
    metricsAddr:
      metricsRaw === undefined || metricsRaw === '' ? undefined : parseAddr(metricsRaw, 'METRICS_ADDR'),
    amnesia,
    macaroonRootKey: key === '' ? undefined : key.toLowerCase(),
    proposalTtlMs:
      env.PROPOSAL_TTL === undefined || env.PROPOSAL_TTL === '' ? 86_400_000 : positive(env.PROPOSAL_TTL),
    maxBodyBytes: int(env.MAX_BODY_BYTES, 'MAX_BODY_BYTES', 65_536, 1024, 16 * 1024 * 1024),
    writeRate: int(env.WRITE_RATE, 'WRITE_RATE', 200, 1, 1_000_000),
    readAuth: flags.readAuth ?? bool(env.READ_AUTH, 'READ_AUTH', false),
    mirrorOf: mirrorOf === '' ? undefined : mirrorOf,
    mirrorToken: env.MIRROR_TOKEN === undefined || env.MIRROR_TOKEN === '' ? undefined : env.MIRROR_TOKEN,
    oidcIssuers: env.OIDC_ISSUERS === undefined || env.OIDC_ISSUERS === '' ? undefined : env.OIDC_ISSUERS,
    nats: parseNats(env, flags, signers.length > 0, mirrorOf !== undefined && mirrorOf !== ''),
    tlog: parseTlogConfig(env, mirrorOf !== undefined && mirrorOf !== ''),
  };
}

/**
 * Cluster mode settings: REGISTRY_BACKEND=nats needs NATS_URL and the cluster's genesis
 * (it pins seq 1 of the stream, as a mirror pins its upstream's), and is not a mirror.
 */
function parseNats(
  env: Readonly<Record<string, string | undefined>>,
  flags: Flags,
  hasGenesis: boolean,
  isMirror: boolean,
): NatsConfig | undefined {
  const backend = flags.backend ?? (env.REGISTRY_BACKEND || 'level');
  if (backend !== 'level' && backend !== 'nats') {
    throw configError(`REGISTRY_BACKEND=${JSON.stringify(backend)} must be level or nats`);
  }
  if (backend === 'level') return undefined;
  const url = flags.natsUrl ?? env.NATS_URL ?? '';
  const servers = url
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (servers.length === 0) throw configError('REGISTRY_BACKEND=nats needs NATS_URL (nats://host:port[,…])');
  for (const s of servers) {
    if (!/^(nats|tls):\/\/[^\s/]+$/.test(s) && !/^[A-Za-z0-9.-]+:[0-9]{1,5}$/.test(s)) {
      throw configError(`NATS_URL entry ${JSON.stringify(s)} is not nats://host:port`);
    }
  }
  const stream = env.NATS_STREAM || 'registry';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(stream)) {
    throw configError(`NATS_STREAM=${JSON.stringify(stream)} must be 1-64 of A-Z a-z 0-9 _ -`);
  }
  if (!hasGenesis) {
    throw configError(
      "REGISTRY_BACKEND=nats needs SIGNER_ALLOWLIST and SIG_THRESHOLD: the cluster genesis is every instance's trust root",
    );
  }
  if (isMirror) throw configError('MIRROR_OF and REGISTRY_BACKEND=nats cannot be combined');
  return { servers, stream, replicas: int(env.NATS_REPLICAS, 'NATS_REPLICAS', 1, 1, 5) };
}

function isHttpUrl(raw: string): boolean {
  if (/\s/.test(raw) || !URL.canParse(raw)) return false;
  const u = new URL(raw);
  return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
}

function positive(raw: string): number {
  let ms: number;
  try {
    ms = parseDuration(raw, 'PROPOSAL_TTL');
  } catch (err) {
    throw configError(messageOf(err));
  }
  if (ms < 1000) throw configError(`PROPOSAL_TTL=${JSON.stringify(raw)} must be at least 1s`);
  return ms;
}
