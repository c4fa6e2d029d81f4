import type { CommandSpec } from '../command.types.js';

export const dev: CommandSpec = {
  name: 'dev',
  summary:
    'Run a DEV ONLY registry (what `npm start` runs). On first run it creates ./_data with three dev signer keys (threshold 2), a dev macaroon root key and an all-scopes dev token on first run, seeds sample data through propose/cosign/apply over HTTP, serves, and prints the URLs, the token and commands to try. A second run reuses it all.',
  help: `  --bind HOST:PORT         listen address (default 127.0.0.1:9402; port 0 picks a free one)
  --dir PATH               dev state directory (default ./_data)

Env: LOG_LEVEL (default warn), PROPOSAL_TTL, WRITE_RATE, MAX_BODY_BYTES, READ_CACHE_CAP as for serve.`,
  options: { bind: { type: 'string' }, dir: { type: 'string' } },
  run: async (ctx) => (await import('../dev/dev-run.js')).runDev(ctx),
};
