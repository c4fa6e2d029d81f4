import type { BackoffOptions } from '../client/index.js';
import type { GovernanceBody } from '../core/index.js';
import type { Registry } from '../registry/index.js';

/** SPEC §11 `/readyz` `upstream`: reachable and verifying, cut off, or caught forging. */
export type UpstreamState = 'ok' | 'unreachable' | 'untrusted';

/**
 * Why an upstream entry was refused (`registry_mirror_refused_total{reason}`): `seq` a gap
 * or a repeat, `version` a head not moving to exactly head + 1 (replayed, lowered, forked),
 * `verify` a descriptor that does not verify or is not the logged one, `behind` an upstream
 * whose log head is behind what was already mirrored.
 */
export type RefusalReason = 'seq' | 'version' | 'verify' | 'behind';

export interface MirrorLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface MirrorOptions {
  /** The upstream's base URL (another registry or mirror). */
  readonly upstream: string;
  /** The upstream's genesis allow-list and threshold: the mirror's only trust root. */
  readonly genesis: GovernanceBody;
  readonly registry: Registry;
  readonly logger: MirrorLogger;
  /** Bearer token for an upstream with READ_AUTH. */
  readonly token?: string;
  readonly fetch?: typeof fetch;
  /** Called once, when the first catch-up is complete. */
  readonly onCaughtUp?: () => void;
  readonly onRefused?: (reason: RefusalReason) => void;
  readonly backoff?: BackoffOptions;
  /** Reconnect after this much silence, in ms (default 45,000: three idle progress notes). */
  readonly idleTimeoutMs?: number;
  /** Log entries fetched ahead of verification (default 64). */
  readonly window?: number;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** What `/readyz` and `/metrics` show about the upstream. */
export interface MirrorReport {
  readonly upstreamUrl: string;
  readonly caughtUp: boolean;
  readonly upstream: UpstreamState;
  /** Upstream seqs known and not yet mirrored. */
  readonly lagSeqs: number;
  /** Seconds since the mirror was last known to be current (0 while it is). */
  readonly lagSeconds: number;
  /** The seq refused last while `untrusted`. */
  readonly refusedSeq: number | undefined;
}
