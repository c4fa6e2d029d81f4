import { readFileSync, writeFileSync } from 'node:fs';
import { messageOf } from '../core/index.js';
import { UsageError } from './usage-error.js';

/** A file's bytes, or stdin's for `-`. */
export function readInput(path: string): Buffer {
  try {
    return readFileSync(path === '-' ? 0 : path);
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

export function writeOutput(path: string, data: string | Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (err) {
    throw new UsageError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** JSON from a file; a syntax error is a usage error naming the file. */
export function readJsonFile(path: string): unknown {
  const text = readInput(path).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${path} is not JSON: ${messageOf(err)}`);
  }
}
