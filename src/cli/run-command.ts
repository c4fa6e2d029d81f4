import { parseArgs } from 'node:util';
import { RegistryResponseError } from '../client/index.js';
import { isRegistryError, messageOf } from '../core/index.js';
import type { CommandSpec, OptionSpec, Values } from './command.types.js';
import { type OutputFormat, type Streams, streamOutput } from './output.js';
import { UsageError } from './usage-error.js';

/** Flags every command takes. */
export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
};

/** Flags of every command that talks to a registry. */
export const NETWORK_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  url: { type: 'string' },
};

/** Every flag a command accepts (what `--help` lists and the README check looks up). */
export function allOptions(spec: CommandSpec): Readonly<Record<string, OptionSpec>> {
  return { ...spec.options, ...(spec.network === true ? NETWORK_OPTIONS : {}), ...COMMON_OPTIONS };
}

export function helpText(spec: CommandSpec): string {
  const network =
    spec.network === true
      ? `  --url URL                the registry (REGISTRY_URL, default http://127.0.0.1:9402); token from REGISTRY_TOKEN\n`
      : '';
  const usage = spec.positional === undefined ? '[flags]' : `[${spec.positional.toUpperCase()}] [flags]`;
  return `Usage: registry ${spec.name} ${usage}

${spec.summary}

${spec.help === '' ? '' : `${spec.help}\n`}${network}  --json                   machine-readable output (one JSON document per line)
  -o, --output FORMAT      json (as --json), yaml, or table (the human form, default)
  -h, --help               this text

Exit codes: 0 ok, 1 request refused (code, message and hint on stderr), 2 usage or config error.`;
}

/** `registry get ID`: one positional argument fills the flag the command names, never both. */
function withPositional(spec: CommandSpec, parsed: { values: object; positionals: string[] }): Values {
  const values = parsed.values as Values;
  const name = spec.positional;
  if (name === undefined || parsed.positionals.length === 0) return values;
  if (parsed.positionals.length > 1) {
    throw new Error(`takes one ${name.toUpperCase()} argument, got ${parsed.positionals.length}`);
  }
  if (values[name] !== undefined)
    throw new Error(`give ${name.toUpperCase()} once: as an argument or as --${name}`);
  return { ...values, [name]: parsed.positionals[0] };
}

/** `--json` is `--output json`; `table` (the default) is the human form. */
function outputFormat(values: Values): OutputFormat {
  const raw = values.output;
  if (raw === undefined) return values.json === true ? 'json' : 'table';
  if (raw !== 'json' && raw !== 'yaml' && raw !== 'table')
    throw new Error(`--output ${String(raw)}: json, yaml or table`);
  if (values.json === true && raw !== 'json') throw new Error(`--json and --output ${raw} disagree`);
  return raw;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/**
 * Parses the flags, runs the command and maps what it throws to an exit code: a
 * UsageError is 2, any other RegistryError (a refusal, from the server or from an offline
 * check) is 1 with its code, message and hint.
 */
export async function runCommand(
  spec: CommandSpec,
  argv: readonly string[],
  io: Streams & { readonly env?: Readonly<Record<string, string | undefined>> } = process,
): Promise<number> {
  const label = `registry ${spec.name}`;
  const env = io.env ?? process.env;
  if (spec.passthrough === true) {
    return spec.run({ values: {}, argv, env, out: streamOutput(false, io) });
  }
  let values: Values;
  try {
    values = withPositional(
      spec,
      parseArgs({
        args: [...argv],
        options: { ...allOptions(spec) },
        strict: true,
        allowPositionals: spec.positional !== undefined,
      }),
    );
  } catch (err) {
    io.stderr.write(`${label}: ${messageOf(err)}\nRun "${label} --help" for its flags.\n`);
    return 2;
  }
  if (values.help === true) {
    io.stdout.write(`${helpText(spec)}\n`);
    return 0;
  }
  let format: OutputFormat;
  try {
    format = outputFormat(values);
  } catch (err) {
    io.stderr.write(`${label}: ${messageOf(err)}\n`);
    return 2;
  }
  const out = streamOutput(format, io, format === 'yaml' ? (await import('yaml')).stringify : undefined);
  try {
    return await spec.run({ values, argv, env, out });
  } catch (err) {
    if (err instanceof UsageError) {
      if (out.json) out.value({ error: { code: 'usage', message: err.message, hint: err.hint } });
      io.stderr.write(`${label}: ${oneLine(err.message)}\n${err.hint === '' ? '' : `hint: ${err.hint}\n`}`);
      return 2;
    }
    if (isRegistryError(err)) {
      const requestId = err instanceof RegistryResponseError ? err.requestId : '';
      if (out.json) {
        out.value({ error: { code: err.code, message: err.message, hint: err.hint, request_id: requestId } });
      }
      io.stderr.write(
        `${label}: ${err.code}: ${oneLine(err.message)}\n${err.hint === '' ? '' : `hint: ${err.hint}\n`}${requestId === '' ? '' : `request_id: ${requestId}\n`}`,
      );
      return 1;
    }
    throw err;
  }
}
