import type { ParseArgsConfig } from 'node:util';

/** One flag as `node:util` parseArgs declares it. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string];

/** Flag values after parsing: strings, booleans, or lists for repeatable flags. */
export type Values = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** What a command runs with: parsed flags, the environment, and where output goes. */
export interface CommandContext {
  readonly values: Values;
  /** The arguments after the command name, as given (for commands that parse their own). */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: Output;
}

/** Human text by default, one JSON document with `--json` (for scripts). */
export interface Output {
  readonly json: boolean;
  /** A line on stdout. */
  line(text: string): void;
  /** A JSON value on stdout, one line. */
  value(value: unknown): void;
  /** Raw bytes on stdout. */
  bytes(data: Uint8Array): void;
  /** A line on stderr (notes, warnings). */
  note(text: string): void;
}

/**
 * A CLI command. `run` returns the exit code (0 ok, 1 refused, 2 usage/config) or -1 for a
 * server that keeps running until a signal.
 */
export interface CommandSpec {
  /** `keygen`, or two words for a subcommand (`token mint`). */
  readonly name: string;
  readonly summary: string;
  /** The `--help` text after the usage line: one line per flag. */
  readonly help: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** The flag one positional argument stands for (`registry get ID` = `--id ID`). */
  readonly positional?: string;
  /** True when the command talks to a registry (gets `--url`, REGISTRY_URL, REGISTRY_TOKEN). */
  readonly network?: boolean;
  /** True when the command parses `argv` itself and prints its own help (`serve`). */
  readonly passthrough?: boolean;
  run(ctx: CommandContext): Promise<number>;
}
