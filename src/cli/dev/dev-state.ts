import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SigningKey } from '../../core/index.js';
import { generateSigningKey } from '../../core/index.js';
import { mintToken, SCOPES } from '../../http/capability.js';
import { readSigningKey, writePrivateKey } from '../key-file.js';

/** DEV ONLY: every file `registry dev` creates says so in its name. */
export const DEV_FILES = {
  signer: (n: number) => `DEV-ONLY-signer-${n}.pem`,
  rootKey: 'DEV-ONLY-macaroon-root-key.hex',
  token: 'DEV-ONLY-token.txt',
  readme: 'DEV-ONLY-README.txt',
  db: 'db',
} as const;

export const DEV_SIGNERS = 3;
export const DEV_THRESHOLD = 2;

export interface DevState {
  readonly dir: string;
  readonly dbPath: string;
  readonly keys: readonly SigningKey[];
  readonly keyFiles: readonly string[];
  readonly rootKeyHex: string;
  readonly token: string;
  readonly tokenFile: string;
  /** True when this run created the directory's keys (first run). */
  readonly created: boolean;
}

const README = `DEV ONLY. Created by \`registry dev\` (npm start) for local development.

The signer keys, the macaroon root key and the token in this directory are not secret:
they sit unencrypted on disk and are printed by \`registry dev\`. Never allow-list these
signers, reuse this root key, or send this token anywhere real. Delete this directory to
start over with fresh keys and an empty registry.
`;

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
}

/**
 * Loads the dev state from `dir`, creating whatever is missing: three signer keys
 * (threshold 2), a macaroon root key and an all-scopes token minted from it. A second run
 * reuses every file, so the registry's genesis and the printed token stay the same.
 */
export function ensureDevState(dirArg: string): DevState {
  const dir = resolve(dirArg);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, DEV_FILES.readme), README);
  let created = false;
  const keyFiles: string[] = [];
  const keys: SigningKey[] = [];
  for (let n = 1; n <= DEV_SIGNERS; n++) {
    const path = join(dir, DEV_FILES.signer(n));
    if (!existsSync(path)) {
      writePrivateKey(path, generateSigningKey());
      created = true;
    }
    keyFiles.push(path);
    keys.push(readSigningKey(path));
  }
  const rootPath = join(dir, DEV_FILES.rootKey);
  let rootMinted = false;
  if (!existsSync(rootPath)) {
    writeSecret(rootPath, `${randomBytes(32).toString('hex')}\n`);
    rootMinted = true;
  }
  const rootKeyHex = readFileSync(rootPath, 'utf8').trim();
  const tokenFile = join(dir, DEV_FILES.token);
  if (rootMinted || !existsSync(tokenFile)) {
    const token = mintToken(rootKeyHex, { identifier: 'DEV-ONLY-token', scopes: SCOPES });
    writeSecret(tokenFile, `${token}\n`);
  }
  const token = readFileSync(tokenFile, 'utf8').trim();
  return { dir, dbPath: join(dir, DEV_FILES.db), keys, keyFiles, rootKeyHex, token, tokenFile, created };
}
