import { isValidKeyName, parseVkey, SIG_TYPE_COSIGNATURE, SIG_TYPE_ED25519 } from '../core/tlog/index.js';
import { configError } from './config.js';
import { parseDuration } from './duration.js';

/** One `WITNESSES` entry: the witness's cosignature vkey and its URL prefix (SPEC §8). */
export interface WitnessTarget {
  readonly vkey: string;
  readonly url: string;
}

/** SPEC §8/§13 transparency log settings. */
export interface TlogConfig {
  /** LOG_KEY: a PKCS#8 ed25519 PEM file; undefined = `<REGISTRY_DB>/log-key.pem` (amnesia: in memory). */
  readonly logKey: string | undefined;
  readonly logOrigin: string | undefined;
  readonly checkpointIntervalMs: number;
  readonly witnesses: readonly WitnessTarget[];
  readonly witnessQuorum: number;
  readonly witnessKey: string | undefined;
  readonly witnessName: string | undefined;
  /** WITNESS_LOGS: log vkeys (type 0x01) this instance cosigns for. */
  readonly witnessLogs: readonly string[];
}

const list = (raw: string | undefined): string[] =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

const set = (raw: string | undefined): string | undefined =>
  raw === undefined || raw === '' ? undefined : raw;

/** Parses the SPEC §8 log settings; a setting that has no effect (e.g. WITNESS_NAME alone) is refused. */
export function parseTlogConfig(
  env: Readonly<Record<string, string | undefined>>,
  isMirror: boolean,
): TlogConfig {
  const logOrigin = set(env.LOG_ORIGIN);
  if (logOrigin !== undefined && !isValidKeyName(logOrigin)) {
    throw configError(`LOG_ORIGIN=${JSON.stringify(logOrigin)} is not a note key name (no spaces, no plus)`);
  }
  let checkpointIntervalMs = 10_000;
  const interval = set(env.CHECKPOINT_INTERVAL);
  if (interval !== undefined) {
    try {
      checkpointIntervalMs = parseDuration(interval, 'CHECKPOINT_INTERVAL');
    } catch (err) {
      throw configError((err as Error).message);
    }
    if (checkpointIntervalMs < 100 || checkpointIntervalMs > 86_400_000) {
      throw configError(`CHECKPOINT_INTERVAL=${JSON.stringify(interval)} must be from 100ms to 24h`);
    }
  }
  const witnesses = list(env.WITNESSES).map(parseWitnessTarget);
  const quorumRaw = set(env.WITNESS_QUORUM);
  const witnessQuorum = quorumRaw === undefined ? 0 : Number(quorumRaw);
  if (quorumRaw !== undefined && (!/^[0-9]+$/.test(quorumRaw) || witnessQuorum > witnesses.length)) {
    throw configError(
      `WITNESS_QUORUM=${JSON.stringify(quorumRaw)} must be an integer from 0 to ${witnesses.length} (the WITNESSES count)`,
    );
  }
  const witnessKey = set(env.WITNESS_KEY);
  const witnessName = set(env.WITNESS_NAME);
  const witnessLogs = list(env.WITNESS_LOGS);
  if (witnessKey === undefined && witnessName !== undefined)
    throw configError('WITNESS_NAME is set but WITNESS_KEY is not');
  if (witnessKey === undefined && witnessLogs.length > 0)
    throw configError('WITNESS_LOGS is set but WITNESS_KEY is not');
  if (witnessName !== undefined && !isValidKeyName(witnessName)) {
    throw configError(
      `WITNESS_NAME=${JSON.stringify(witnessName)} is not a note key name (no spaces, no plus)`,
    );
  }
  if (witnessKey !== undefined && witnessLogs.length === 0 && !isMirror) {
    throw configError('WITNESS_KEY is set but WITNESS_LOGS names no log to cosign for');
  }
  for (const v of witnessLogs) {
    try {
      if (parseVkey(v).type !== SIG_TYPE_ED25519) throw new Error('not an Ed25519 (0x01) log key');
    } catch (err) {
      throw configError(
        `WITNESS_LOGS entry ${JSON.stringify(v.slice(0, 80))} is not a log vkey: ${(err as Error).message}`,
      );
    }
  }
  return {
    logKey: set(env.LOG_KEY),
    logOrigin,
    checkpointIntervalMs,
    witnesses,
    witnessQuorum,
    witnessKey,
    witnessName,
    witnessLogs,
  };
}

function parseWitnessTarget(raw: string): WitnessTarget {
  const at = raw.indexOf('@');
  const vkey = raw.slice(0, at);
  const url = raw.slice(at + 1);
  try {
    if (at < 0) throw new Error('expected <vkey>@<url>');
    if (parseVkey(vkey).type !== SIG_TYPE_COSIGNATURE) throw new Error('not a cosignature (0x04) vkey');
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('the URL is not http(s)');
  } catch (err) {
    throw configError(`WITNESSES entry ${JSON.stringify(raw.slice(0, 120))}: ${(err as Error).message}`);
  }
  return { vkey, url: url.replace(/\/+$/, '') };
}
