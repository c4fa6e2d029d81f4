import { messageOf } from '../../core/index.js';
import { SCOPES, type Scope } from '../../http/capability.types.js';
import type { CommandSpec } from '../command.types.js';
import { parseDuration } from '../duration.js';
import { UsageError } from '../usage-error.js';
import { optString, strings } from '../values.js';

function scopeOf(raw: string): Scope {
  const full = raw.includes(':') ? raw : `registry:${raw}`;
  const scope = SCOPES.find((s) => s === full);
  if (scope === undefined)
    throw new UsageError(`unknown scope ${JSON.stringify(raw)}`, `use ${SCOPES.join(', ')}`);
  return scope;
}

/** The lifetime of a token minted without --ttl: a forgotten token stops working by itself. */
export const DEFAULT_TTL = '24h';

const split = (list: readonly string[]) => list.flatMap((s) => s.split(/[\s,]+/)).filter((s) => s !== '');

export const tokenMint: CommandSpec = {
  name: 'token mint',
  summary:
    'Mint a capability token (libmacaroons v1, SPEC §7) with the root key in MACAROON_ROOT_KEY; prints the token.',
  help: `  --scope S                read, propose, apply (or registry:read, ...); repeatable or comma-separated (required)
  --ttl DURATION           lifetime, e.g. 24h, 90m, 1h30m (a "time <" caveat; default 24h; "never" for no expiry)
  --id-prefix P            descriptor ids it may propose/apply ("svc- node-" for several)
  --kind K                 descriptor kinds it may propose/apply (repeatable or comma-separated)
  --name NAME              the token's identifier, logged as applied_by (default registry-cli)`,
  options: {
    scope: { type: 'string', multiple: true },
    ttl: { type: 'string' },
    'id-prefix': { type: 'string' },
    kind: { type: 'string', multiple: true },
    name: { type: 'string' },
  },
  async run({ values, env, out }) {
    const rootKey = env.MACAROON_ROOT_KEY ?? '';
    if (rootKey === '') {
      throw new UsageError('MACAROON_ROOT_KEY is not set', "export the registry's root key (hex) first");
    }
    const scopes = [...new Set(split(strings(values, 'scope')).map(scopeOf))];
    if (scopes.length === 0)
      throw new UsageError('--scope is required', `one or more of ${SCOPES.join(', ')}`);
    const ttl = optString(values, 'ttl');
    const idPrefix = optString(values, 'id-prefix');
    const kinds = split(strings(values, 'kind'));
    let ttlMs: number | undefined;
    try {
      // A token without expiry is an explicit choice, never the default.
      ttlMs = ttl === 'never' ? undefined : parseDuration(ttl ?? DEFAULT_TTL, '--ttl');
    } catch (err) {
      throw new UsageError(messageOf(err));
    }
    const { mintToken } = await import('../../http/capability.js');
    let token: string;
    try {
      token = mintToken(rootKey, {
        identifier: optString(values, 'name') ?? 'registry-cli',
        scopes,
        ...(ttlMs === undefined ? {} : { ttlMs }),
        ...(idPrefix === undefined ? {} : { idPrefix }),
        ...(kinds.length === 0 ? {} : { kinds }),
      });
    } catch (err) {
      // The messages name the setting, never its value.
      throw new UsageError(messageOf(err), (err as { hint?: string }).hint ?? '');
    }
    if (out.json) {
      const expires = ttlMs === undefined ? null : new Date(Date.now() + ttlMs).toISOString();
      out.value({ token, scopes, expires_at: expires, id_prefix: idPrefix ?? null, kinds });
    } else {
      out.line(token);
    }
    return 0;
  },
};
