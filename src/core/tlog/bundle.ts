import { RegistryError } from '../errors.js';
import { TILE_WIDTH } from './tiles.js';

/** tlog-tiles entry bundles prefix each entry with a big-endian uint16 length. */
export const MAX_LEAF_BYTES = 65_535;

/**
 * tlog-tiles "Log entries": "sequences of big-endian uint16 length-prefixed log entries". A
 * leaf over 65,535 bytes cannot be framed; SPEC §13 refuses such a proposal with
 * PayloadTooLarge before it reaches the log, so meeting one here is that refusal again.
 */
export function encodeBundle(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length > TILE_WIDTH) throw new RegistryError('Internal', 'a bundle holds at most 256 entries');
  let length = 0;
  for (const leaf of leaves) {
    if (leaf.length > MAX_LEAF_BYTES) {
      throw new RegistryError('PayloadTooLarge', `log entry of ${leaf.length} bytes exceeds 65,535`);
    }
    length += 2 + leaf.length;
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (const leaf of leaves) {
    out[at] = leaf.length >>> 8;
    out[at + 1] = leaf.length & 0xff;
    out.set(leaf, at + 2);
    at += 2 + leaf.length;
  }
  return out;
}

/**
 * Parses an entry bundle (attacker-controlled bytes from a log or mirror upstream) that must
 * hold exactly `count` entries: a length running past the end (truncated), bytes left after
 * the last entry (padded) or more entries than `count` are BadRequest. Entries are views
 * into `bytes`; nothing is allocated from a length before it is checked against the input.
 */
export function parseBundle(bytes: Uint8Array, count: number): Uint8Array[] {
  if (!Number.isInteger(count) || count < 1 || count > TILE_WIDTH) {
    throw new RegistryError('BadRequest', `entry bundle count ${count} is not in 1..256`);
  }
  const entries: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (entries.length === count)
      throw new RegistryError('BadRequest', 'entry bundle: bytes after the last entry');
    if (at + 2 > bytes.length) throw new RegistryError('BadRequest', 'entry bundle: truncated length');
    const length = ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
    if (at + 2 + length > bytes.length)
      throw new RegistryError('BadRequest', 'entry bundle: truncated entry');
    entries.push(bytes.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  if (entries.length !== count) {
    throw new RegistryError('BadRequest', `entry bundle: ${entries.length} entries, expected ${count}`);
  }
  return entries;
}
