import { type GovernanceBody, isRegistryError, parseAllowList } from '../../core/index.js';
import type { Values } from '../command.types.js';
import { UsageError } from '../usage-error.js';
import { optString, strings } from '../values.js';

/** The flags that pin a genesis, shared by `export` and `import` (as `serve --mirror-of`). */
export const PIN_OPTIONS = {
  'allow-signer': { type: 'string', multiple: true },
  'sig-threshold': { type: 'string' },
} as const;

export const PIN_HELP = `  --allow-signer A,B,C     pin the genesis: its signer set (repeatable; default SIGNER_ALLOWLIST)
  --sig-threshold N        and its threshold (default SIG_THRESHOLD); without either, seq 1 is trusted as found`;

/**
 * SPEC §11: a verifier's only trust root is the genesis, given as the allow-list and
 * threshold (flags, else SIGNER_ALLOWLIST / SIG_THRESHOLD, both required together, as a
 * mirror's). Undefined when none is given: the caller trusts seq 1 and says so.
 */
export function pinnedGenesis(
  values: Values,
  env: Readonly<Record<string, string | undefined>>,
): GovernanceBody | undefined {
  const listed = strings(values, 'allow-signer');
  const signers = (listed.length > 0 ? listed : [env.SIGNER_ALLOWLIST ?? ''])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const rawThreshold = optString(values, 'sig-threshold') ?? (env.SIG_THRESHOLD || undefined);
  if (signers.length === 0 && rawThreshold === undefined) return undefined;
  if (signers.length === 0 || rawThreshold === undefined) {
    throw new UsageError(
      'a pinned genesis needs both its signers and its threshold',
      'pass --allow-signer A,B,C and --sig-threshold N (or SIGNER_ALLOWLIST and SIG_THRESHOLD)',
    );
  }
  if (!/^[0-9]+$/.test(rawThreshold)) {
    throw new UsageError(`threshold ${JSON.stringify(rawThreshold)} is not an integer`);
  }
  try {
    return parseAllowList(signers, Number(rawThreshold));
  } catch (err) {
    if (isRegistryError(err)) throw new UsageError(err.message, err.hint);
    throw err;
  }
}

/** The warning printed when nothing pins the genesis. */
export const UNPINNED_WARNING =
  'warning: no pinned genesis (--allow-signer/--sig-threshold or SIGNER_ALLOWLIST/SIG_THRESHOLD): seq 1 is trusted as found; everything after it is verified against it';
