import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKey, type SigningKey } from '../core/index.js';
import type { TransparencyLogOptions } from '../registry/index.js';
import type { Config } from './config.js';
import { readSigningKey, writePrivateKey } from './key-file.js';

/** The SPEC §8 keys named by the environment, read before anything is bound (exit 2 when unreadable). */
export interface TlogKeys {
  readonly logKey: SigningKey | undefined;
  readonly witnessKey: SigningKey | undefined;
}

export function readTlogKeys(config: Config): TlogKeys {
  const { logKey, witnessKey } = config.tlog;
  return {
    logKey: logKey === undefined ? undefined : readSigningKey(logKey),
    witnessKey: witnessKey === undefined ? undefined : readSigningKey(witnessKey),
  };
}

/**
 * SPEC §8 LOG_KEY default: `<REGISTRY_DB>/log-key.pem`, created mode 0600 on first start
 * (after the store has created the directory); in amnesia a key per process, no file.
 */
export function logKeyFor(config: Config, keys: TlogKeys): SigningKey {
  if (keys.logKey !== undefined) return keys.logKey;
  if (config.amnesia) return generateSigningKey();
  const path = join(config.db, 'log-key.pem');
  if (existsSync(path)) return readSigningKey(path);
  const key = generateSigningKey();
  writePrivateKey(path, key);
  return key;
}

export function tlogOptions(config: Config, keys: TlogKeys): TransparencyLogOptions {
  return {
    key: logKeyFor(config, keys),
    ...(config.tlog.logOrigin === undefined ? {} : { origin: config.tlog.logOrigin }),
    witnessQuorum: config.tlog.witnessQuorum,
  };
}
