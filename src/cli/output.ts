import type { Output } from './command.types.js';

/** Where a command's output goes: the process's streams, or a test's buffers. */
export interface Streams {
  readonly stdout: { write(chunk: string | Uint8Array): unknown };
  readonly stderr: { write(chunk: string | Uint8Array): unknown };
}

/** `--output`: `json` and `yaml` print the command's structured value, `table` its human text. */
export type OutputFormat = 'json' | 'yaml' | 'table';

/**
 * stdout/stderr output; `json` (or `true`) selects the script-friendly form, `yaml` the same
 * values as YAML documents (`toYaml`, loaded only when asked for).
 */
export function streamOutput(
  format: OutputFormat | boolean,
  io: Streams = process,
  toYaml?: (value: unknown) => string,
): Output {
  const f: OutputFormat = format === true ? 'json' : format === false ? 'table' : format;
  return {
    json: f !== 'table',
    line: (text) => io.stdout.write(`${text}\n`),
    value: (value) =>
      io.stdout.write(
        f === 'yaml' && toYaml !== undefined ? `---\n${toYaml(value)}` : `${JSON.stringify(value)}\n`,
      ),
    bytes: (data) => io.stdout.write(data),
    note: (text) => io.stderr.write(`${text}\n`),
  };
}
