#!/usr/bin/env node
import { COMMANDS, findCommand } from './commands/index.js';
import { runCommand } from './run-command.js';

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary.split(/(?<=\.) /)[0]}`);
  return `registry: governed, append-only descriptor registry

Usage: registry <command> [flags]

${lines.join('\n')}

Network commands use REGISTRY_URL (default http://127.0.0.1:9402) and REGISTRY_TOKEN.
Run "registry <command> --help" for a command's flags.`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? 2 : 0;
  }
  const found = findCommand(argv);
  if (found === undefined) {
    const sub = COMMANDS.filter((c) => c.name.startsWith(`${name} `)).map((c) => c.name);
    const what = sub.length > 0 ? `use ${sub.join(', ')}` : `unknown command ${JSON.stringify(name)}`;
    process.stderr.write(`registry: ${what}\n${help()}\n`);
    return 2;
  }
  return runCommand(found.spec, found.rest);
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
