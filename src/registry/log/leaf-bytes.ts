import { createHash } from 'node:crypto';
import { canonicalJson, RegistryError } from '../../core/index.js';
import { MAX_LEAF_BYTES } from '../../core/tlog/index.js';
import type { LogEntry } from '../../store/index.js';

const te = new TextEncoder();
const HEAD = te.encode('{"descriptor":');
const MIDDLE = te.encode(',"entry":');
const TAIL = te.encode('}');

/**
 * SPEC §13's leaf for one log entry: the JCS bytes of `{ entry, descriptor }`. Every stored
 * descriptor is already JCS (SPEC §4 "the exact bytes served": written by `descriptorBytes`,
 * checked canonical by cluster replication and by the mirror), and JCS sorts `descriptor`
 * before `entry`, so the leaf is those bytes spliced in verbatim: no parse, no
 * re-serialisation on the apply path. `leaf-bytes.test.ts` holds it to core's `logLeaf`.
 */
export function leafBytes(entry: LogEntry, descriptor: Uint8Array): Uint8Array {
  const e = te.encode(entryJcs(entry));
  const length = HEAD.length + descriptor.length + MIDDLE.length + e.length + TAIL.length;
  assertLeafLength(length);
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of [HEAD, descriptor, MIDDLE, e, TAIL]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * JCS of a SPEC §4 log entry: its members in code-point order, strings as JSON.stringify
 * writes them (RFC 8785 §3.2.2.2 is that serialisation), integers as decimals. An entry with
 * any other member goes through `canonicalJson`.
 */
export function entryJcs(e: LogEntry): string {
  if (Object.keys(e).length !== 7) return canonicalJson(e);
  const str = JSON.stringify;
  return `{"applied_by":${str(e.applied_by)},"descriptor_id":${str(e.descriptor_id)},"digest":${str(e.digest)},"seq":${e.seq},"ts":${e.ts},"type":${str(e.type)},"version":${e.version}}`;
}

const LEAF_PREFIX = new Uint8Array([0x00]);

/**
 * RFC 9162 §2.1.1 leaf hash SHA-256(0x00 ‖ leaf) of `leafBytes(entry, descriptor)`, fed to the
 * hash in its parts instead of copied into one buffer first (the apply path's cost).
 */
export function leafHashOf(entry: LogEntry, descriptor: Uint8Array): Uint8Array {
  const e = te.encode(entryJcs(entry));
  assertLeafLength(HEAD.length + descriptor.length + MIDDLE.length + e.length + TAIL.length);
  const h = createHash('sha256').update(LEAF_PREFIX).update(HEAD).update(descriptor).update(MIDDLE).update(e);
  return new Uint8Array(h.update(TAIL).digest());
}

/** SPEC §13: a leaf over 65,535 bytes cannot be bundled, so its apply is refused (PayloadTooLarge). */
export function assertLeafFits(entry: LogEntry, descriptor: Uint8Array): void {
  const overhead = HEAD.length + MIDDLE.length + TAIL.length;
  if (descriptor.length + overhead > MAX_LEAF_BYTES - 64) {
    assertLeafLength(descriptor.length + overhead + te.encode(entryJcs(entry)).length);
  }
}

/**
 * SPEC §13 "refused with PayloadTooLarge at propose": the leaf will hold the stored
 * descriptor (`storedLength` bytes) and its log entry, whose only open-ended members are the
 * id (already in the descriptor, once more) and the apply token's name (bounded here by 1 KiB).
 */
export function assertLeafFitsAtPropose(id: string, storedLength: number): void {
  const entryBound = 160 + 2 * Buffer.byteLength(id) + 64 + 1024;
  assertLeafLength(HEAD.length + storedLength + MIDDLE.length + entryBound + TAIL.length);
}

function assertLeafLength(length: number): void {
  if (length > MAX_LEAF_BYTES) {
    throw new RegistryError(
      'PayloadTooLarge',
      `log leaf of ${length} bytes exceeds 65,535`,
      'make the descriptor smaller: its log entry must fit a tlog-tiles entry bundle',
    );
  }
}
