import {
  encodeVkey,
  encodeWitnessVkey,
  parseCheckpoint,
  parseNote,
  SIG_TYPE_ED25519,
} from '../../core/tlog/index.js';
import { defaultWitnessName } from '../../registry/index.js';
import type { CommandSpec } from '../command.types.js';
import { readSigningKey } from '../key-file.js';
import { UsageError } from '../usage-error.js';
import { optString } from '../values.js';
import { logText } from './log-fetch.js';

export const logWitnessKey: CommandSpec = {
  name: 'log witness-key',
  summary: 'Print the witness vkey of WITNESS_KEY (for the log operator’s WITNESSES).',
  help: [
    '  --key FILE.pem           the witness key (default WITNESS_KEY)',
    '  --name NAME              its key name (default WITNESS_NAME, else localhost/witness/<hash>)',
  ].join('\n'),
  options: { key: { type: 'string' }, name: { type: 'string' } },
  async run({ values, env, out }) {
    const path = optString(values, 'key') ?? env.WITNESS_KEY;
    if (path === undefined || path === '') throw new UsageError('--key FILE.pem or WITNESS_KEY is required');
    const key = readSigningKey(path);
    const name = optString(values, 'name') ?? (env.WITNESS_NAME || defaultWitnessName(key.publicKey));
    const vkey = encodeWitnessVkey(name, key.publicKey);
    if (out.json) out.value({ name, vkey });
    else out.line(vkey);
    return 0;
  },
};

export const logVkey: CommandSpec = {
  name: 'log vkey',
  summary: 'Print the log vkey of LOG_KEY, the key clients verify checkpoints with.',
  help: [
    '  --key FILE.pem           the log key (default LOG_KEY, else <REGISTRY_DB>/log-key.pem)',
    '  --origin ORIGIN          the log origin (default LOG_ORIGIN, else read from the served checkpoint)',
  ].join('\n'),
  options: { key: { type: 'string' }, origin: { type: 'string' } },
  network: true,
  async run(ctx) {
    const { values, env, out } = ctx;
    const path = optString(values, 'key') ?? (env.LOG_KEY || `${env.REGISTRY_DB || './_data'}/log-key.pem`);
    const key = readSigningKey(path);
    const origin =
      optString(values, 'origin') ??
      (env.LOG_ORIGIN || parseCheckpoint(parseNote(await logText(ctx, 'checkpoint')).text).origin);
    const vkey = encodeVkey(origin, SIG_TYPE_ED25519, key.publicKey);
    if (out.json) out.value({ origin, vkey });
    else out.line(vkey);
    return 0;
  },
};
