#!/usr/bin/env node
import { serveCommand } from './serve-command.js';

const HELP = `registry: governed, append-only descriptor registry

Usage: registry <command> [flags]

  serve     run the registry (see registry serve --help)

Run "registry <command> --help" for a command's flags.`;

const COMMANDS: Record<string, (argv: readonly string[]) => Promise<number>> = {
  serve: serveCommand,
};

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${HELP}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`registry: unknown command ${JSON.stringify(name)}\n${HELP}\n`);
    return 2;
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    // -1: a server keeps running until a signal.
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`registry: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
