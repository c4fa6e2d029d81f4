import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/commands/index.js';
import { cli } from './helpers/cli-inproc.js';

// `registry completion bash|zsh`: generated from the same command specs as --help, and the
// bash one completes as a user would see it (bash is on every machine this project runs on).

async function complete(words: string[]): Promise<string[]> {
  const script = (await cli(['completion', 'bash'])).stdout;
  const r = spawnSync(
    'bash',
    [
      '-c',
      `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _registry; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: 'utf8' },
  );
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe('registry completion', () => {
  it('completes command words, subcommands and each command’s flags in bash', async () => {
    expect(new Set(await complete(['registry', 'pro']))).toEqual(
      new Set(['proposals', 'proposal', 'propose']),
    );
    expect(await complete(['registry', 'token', ''])).toEqual(['mint', 'inspect']);
    expect(await complete(['registry', 'watch', '--pr'])).toEqual(['--prefix']);
    expect(await complete(['registry', 'token', 'mint', '--t'])).toEqual(['--ttl']);
  });

  it('prints a zsh script naming every command, and refuses another shell (exit 2)', async () => {
    const z = (await cli(['completion', 'zsh'])).stdout;
    expect(z.startsWith('#compdef registry\n')).toBe(true);
    for (const c of COMMANDS) expect(z).toContain(`"${c.name}"`);
    expect((await cli(['completion', 'fish'])).code).toBe(2);
  });
});
