import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findCommand } from '../../src/cli/commands/index.js';
import { privateKeyPem } from '../../src/cli/key-file.js';
import { runCommand } from '../../src/cli/run-command.js';
import type { SigningKey } from '../../src/core/index.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly raw: Buffer;
}

/** Runs `registry <argv>` in this process with captured output (the code under coverage). */
export async function cli(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  const out: Buffer[] = [];
  const err: string[] = [];
  const io = {
    env,
    stdout: { write: (c: string | Uint8Array) => out.push(Buffer.from(c)) },
    stderr: { write: (c: string | Uint8Array) => err.push(Buffer.from(c).toString()) },
  };
  const found = findCommand(argv);
  if (found === undefined) throw new Error(`no command ${argv.join(' ')}`);
  const code = await runCommand(found.spec, found.rest, io);
  const raw = Buffer.concat(out);
  return { code, stdout: raw.toString('utf8'), stderr: err.join(''), raw };
}

/** Writes TEST ONLY keys as PKCS#8 PEM files named key-<n>.pem; returns their paths. */
export function writeKeys(dir: string, keys: readonly SigningKey[]): string[] {
  return keys.map((k, i) => {
    const path = join(dir, `key-${i + 1}.pem`);
    writeFileSync(path, privateKeyPem(k), { mode: 0o600 });
    return path;
  });
}
