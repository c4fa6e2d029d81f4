/** SPEC §4 keyspace. Numbers are 20-digit zero-padded so key order is numeric order. */

const PAD = 20;

export function pad(n: number): string {
  return String(n).padStart(PAD, '0');
}

export const KEY = {
  schema: 'meta/schema',
  version: 'meta/version',
  regions: 'regions/current',
  desc: (id: string, version: number) => `desc/${id}/v/${pad(version)}`,
  descPrefix: (id: string) => `desc/${id}/v/`,
  head: (id: string) => `head/${id}`,
  log: (seq: number) => `log/${pad(seq)}`,
  prop: (proposalId: string) => `prop/${proposalId}`,
  applied: (proposalId: string) => `applied/${proposalId}`,
  /**
   * Cluster mode (not in SPEC §4): the last stream sequence materialized, written in the
   * batch of the entries it covers, so a restarted follower resumes right after it.
   */
  streamSeq: 'cluster/stream-seq',
  /** SPEC §13: a full tile of hashes, `tile/<L>/<N>` with N in tlog-tiles' `x001/234` form. */
  tile: (level: number, encodedIndex: string) => `tile/${level}/${encodedIndex}`,
  /** SPEC §13: the tree's right edge (the hashes needed to extend it). */
  tree: 'meta/tree',
  /** SPEC §13: the last signed checkpoint note and its cosignatures (JSON). */
  logCheckpoint: 'meta/checkpoint',
  /** SPEC §13: a witness's last cosigned size and root for a log origin (JSON). */
  witness: (origin: string) => `witness/${origin}`,
  /** Start-up checkpoint (derived, not in SPEC §4: safe to delete). */
  snapMeta: 'snap/meta',
  snapChunk: (n: number) => `snap/chunk/${String(n).padStart(8, '0')}`,
} as const;

/**
 * SPEC §4: the prefixes whose keys are written once and never overwritten or deleted
 * (SPEC §13: full tiles never change either).
 */
export const IMMUTABLE_PREFIXES = ['desc/', 'log/', 'tile/'] as const;

export function isImmutableKey(key: string): boolean {
  return IMMUTABLE_PREFIXES.some((p) => key.startsWith(p));
}

/** The exclusive upper bound of a prefix range ('/' + 1 = '0'). */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
