import type { CommandSpec } from '../command.types.js';
import { SERVE_HELP, SERVE_OPTIONS, serveCommand } from '../serve-command.js';

export const serve: CommandSpec = {
  name: 'serve',
  summary: 'Run the registry (SPEC §8 settings: env first, flags override).',
  help: SERVE_HELP,
  options: SERVE_OPTIONS,
  passthrough: true,
  run: ({ argv }) => serveCommand(argv),
};
