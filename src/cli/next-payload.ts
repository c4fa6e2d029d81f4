import { isRegistryError, type Payload, parsePayload } from '../core/index.js';
import { UsageError } from './usage-error.js';

/** What the next version of an id extends: its head's version and digest (none for a new id). */
export interface HeadOf {
  readonly version: number;
  readonly digest: string;
}

/**
 * The draft of the next version (SPEC §2): version = head + 1, prev = the head's digest
 * (version 1 and prev null for a new id), ts = now, `deprecated: true` only when asked,
 * checked with the server's own parser so a local mistake is a usage error before anything
 * is signed. `registry draft` and `registry plan --out` both write these.
 */
export function nextPayload(
  head: HeadOf | undefined,
  fields: {
    readonly id: string;
    readonly kind: string;
    readonly body: unknown;
    readonly deprecated: boolean;
  },
  now: number,
  where = '',
): Payload {
  const payload = {
    id: fields.id,
    version: head === undefined ? 1 : head.version + 1,
    kind: fields.kind,
    body: fields.body,
    prev: head === undefined ? null : head.digest,
    ts: now,
    ...(fields.deprecated ? { deprecated: true } : {}),
  };
  try {
    parsePayload(payload, now);
    return payload as Payload;
  } catch (err) {
    if (isRegistryError(err)) throw new UsageError(`${where}${err.message}`, err.hint, { cause: err });
    throw err;
  }
}
