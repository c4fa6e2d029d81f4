import { canonicalJson } from '../canonical.js';
import { RegistryError } from '../errors.js';
import { MAX_LEAF_BYTES } from './bundle.js';
import { bytesOf } from './encoding.js';
import { leafHash } from './hash.js';

/**
 * SPEC §13 "Leaf for seq s: the JCS bytes of `{ "entry": <the log/ value of s>, "descriptor":
 * <the signed descriptor that entry names, as stored> }`" (`descriptor` is the stored bytes
 * parsed as JSON; JCS makes its key order and number spelling irrelevant). A leaf over
 * 65,535 bytes cannot be bundled, so it is refused with PayloadTooLarge (SPEC §13: at propose
 * and at apply).
 */
export function logLeaf(entry: unknown, descriptor: unknown): Uint8Array {
  const leaf = bytesOf(canonicalJson({ entry, descriptor }));
  if (leaf.length > MAX_LEAF_BYTES) {
    throw new RegistryError(
      'PayloadTooLarge',
      `log leaf of ${leaf.length} bytes exceeds 65,535`,
      'make the descriptor smaller: its log entry must fit a tlog-tiles entry bundle',
    );
  }
  return leaf;
}

/** The leaf hash of seq s, for the tree (RFC 9162 §2.1.1: SHA-256(0x00 ‖ leaf)). */
export function logLeafHash(entry: unknown, descriptor: unknown): Uint8Array {
  return leafHash(logLeaf(entry, descriptor));
}
