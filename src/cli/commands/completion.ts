import type { CommandSpec } from '../command.types.js';
import { allOptions } from '../run-command.js';
import { UsageError } from '../usage-error.js';

/** Every command word and its flags, from the same specs `--help` prints. */
async function table(): Promise<Array<{ name: string; flags: string[] }>> {
  const { COMMANDS } = await import('./index.js');
  return COMMANDS.map((c) => ({
    name: c.name,
    flags: Object.keys(c.passthrough === true ? {} : allOptions(c)).map((f) => `--${f}`),
  }));
}

function bash(cmds: Array<{ name: string; flags: string[] }>): string {
  const firsts = [...new Set(cmds.map((c) => c.name.split(' ')[0]))].join(' ');
  const cases = cmds.map((c) => `    "${c.name}") flags="${c.flags.join(' ')}" ;;`).join('\n');
  return `# registry bash completion: source <(registry completion bash)
_registry() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="\${COMP_WORDS[1]}" flags=""
  if [ "$COMP_CWORD" -eq 1 ]; then COMPREPLY=($(compgen -W "${firsts} --help --version" -- "$cur")); return; fi
  [ "$COMP_CWORD" -ge 2 ] && case "$cmd \${COMP_WORDS[2]}" in
${cmds
  .filter((c) => c.name.includes(' '))
  .map((c) => `    "${c.name}") flags="${c.flags.join(' ')}" ;;`)
  .join('\n')}
  esac
  if [ -z "$flags" ]; then case "$cmd" in
${cases}
  esac; fi
  if [ "$COMP_CWORD" -eq 2 ] && [ -z "$flags" ]; then
    COMPREPLY=($(compgen -W "$(printf '%s\\n' ${cmds
      .filter((c) => c.name.includes(' '))
      .map((c) => `"${c.name}"`)
      .join(' ')} | awk -v c="$cmd" '$1 == c { print $2 }')" -- "$cur")); return
  fi
  case "$cur" in -*) COMPREPLY=($(compgen -W "$flags" -- "$cur")) ;; *) COMPREPLY=($(compgen -f -- "$cur")) ;; esac
}
complete -F _registry registry
`;
}

function zsh(cmds: Array<{ name: string; flags: string[] }>): string {
  const firsts = [...new Set(cmds.map((c) => c.name.split(' ')[0]))].join(' ');
  return `#compdef registry
# registry zsh completion: registry completion zsh > "\${fpath[1]}/_registry"
_registry() {
  local -A flags
  flags=(
${cmds.map((c) => `    "${c.name}" "${c.flags.join(' ')}"`).join('\n')}
  )
  if (( CURRENT == 2 )); then compadd -- ${firsts} --help --version; return; fi
  local key="\${words[2]} \${words[3]}"
  [[ -n "\${flags[$key]}" ]] || key="\${words[2]}"
  if [[ -z "\${flags[$key]}" ]] && (( CURRENT == 3 )); then
    compadd -- \${\${(k)flags[(I)\${words[2]} *]}#\${words[2]} }; return
  fi
  if [[ "\${words[CURRENT]}" == -* ]]; then compadd -- \${=flags[$key]}; else _files; fi
}
compdef _registry registry
`;
}

export const completion: CommandSpec = {
  name: 'completion',
  summary: 'Print a shell completion script for bash or zsh (commands and their flags).',
  help: `  --shell SHELL            bash or zsh (or as the argument: source <(registry completion bash))`,
  options: { shell: { type: 'string' } },
  positional: 'shell',
  async run({ values, out }) {
    const shell = values.shell;
    if (shell !== 'bash' && shell !== 'zsh')
      throw new UsageError('which shell?', 'registry completion bash, or registry completion zsh');
    const cmds = await table();
    out.bytes(new TextEncoder().encode(shell === 'bash' ? bash(cmds) : zsh(cmds)));
    return 0;
  },
};
