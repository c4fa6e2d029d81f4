import type { Output } from './command.types.js';

/** Where a command's output goes: the process's streams, or a test's buffers. */
export interface Streams {
  readonly stdout: { write(chunk: string | Uint8Array): unknown };
  readonly stderr: { write(chunk: string | Uint8Array): unknown };
}

/** stdout/stderr output; `json` selects the script-friendly form. */
export function streamOutput(json: boolean, io: Streams = process): Output {
  return {
    json,
    line: (text) => io.stdout.write(`${text}\n`),
    value: (value) => io.stdout.write(`${JSON.stringify(value)}\n`),
    bytes: (data) => io.stdout.write(data),
    note: (text) => io.stderr.write(`${text}\n`),
  };
}
