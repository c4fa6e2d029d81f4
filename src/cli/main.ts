#!/usr/bin/env node
import { COMMANDS, findCommand } from './commands/index.js';
import { runCommand } from './run-command.js';
import { VERSION } from './version.js';

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary.split(/(?<=\.) /)[0]}`);
  return `registry: governed, append-only descriptor registry

Usage: registry <command> [flags]

${lines.join('\n')}

Network commands use REGISTRY_URL (default http://127.0.0.1:9402) and REGISTRY_TOKEN.
Run "registry <command> --help" for a command's flags.`;
}

/** `registry token --help`: the subcommands of a command group. */
function groupHelp(group: string): string | undefined {
  const subs = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
  if (subs.length === 0) return undefined;
  const width = Math.max(...subs.map((c) => c.name.length));
  const lines = subs.map((c) => `  ${c.name.padEnd(width)}  ${c.summary.split(/(?<=\.) /)[0]}`);
  return `Usage: registry ${group} <subcommand> [flags]\n\n${lines.join('\n')}\n\nRun "registry ${group} <subcommand> --help" for its flags.`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, second] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`registry ${VERSION}\n`);
    return 0;
  }
  const found = findCommand(argv);
  if (found === undefined) {
    const group = groupHelp(name);
    if (group !== undefined && (second === '--help' || second === '-h')) {
      process.stdout.write(`${group}\n`);
      return 0;
    }
    const what = group !== undefined ? group : `registry: unknown command ${JSON.stringify(name)}\n${help()}`;
    process.stderr.write(`${what}\n`);
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
