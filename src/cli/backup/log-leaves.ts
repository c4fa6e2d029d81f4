import { RegistryError } from '../../core/index.js';
import {
  appendLeaf,
  EMPTY_EDGE,
  edgeRoot,
  entriesPath,
  hashEquals,
  leafHash,
  logLeaf,
  parseBundle,
  parseCheckpoint,
  parseNote,
  TILE_WIDTH,
} from '../../core/tlog/index.js';
import type { LogEntry } from '../../store/index.js';

/** What a leaf must name: the exported entry (without `applied_by`) and its descriptor's bytes. */
export interface LeafExpectation {
  readonly log: Omit<LogEntry, 'applied_by'>;
  readonly body: string;
}

const bad = (message: string) =>
  new RegistryError('BadRequest', message, 'the log (SPEC §13) does not match what /watch served');

/** The tree size a signed checkpoint note commits to (c2sp.org/tlog-checkpoint, strictly parsed). */
export function checkpointOf(note: string): { size: number; rootHash: Uint8Array } {
  return parseCheckpoint(parseNote(note).text);
}

/**
 * The leaves of seqs 1..size from the server's entry bundles (c2sp.org/tlog-tiles
 * `tile/entries/<N>[.p/<W>]`): attacker-controlled bytes, parsed by the core's bounded parser.
 */
export async function fetchLeaves(
  baseUrl: string,
  size: number,
  get: typeof fetch,
  token: string | undefined,
): Promise<Uint8Array[]> {
  const leaves: Uint8Array[] = [];
  for (let n = 0; n * TILE_WIDTH < size; n++) {
    const width = Math.min(TILE_WIDTH, size - n * TILE_WIDTH);
    const url = `${baseUrl}/v1/registry/log/${entriesPath(n, width)}`;
    let res: Response;
    try {
      res = await get(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
    } catch (cause) {
      throw new RegistryError('StoreUnavailable', `GET ${url}: unreachable`, '', { cause });
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new RegistryError('StoreUnavailable', `GET ${url}: HTTP ${res.status}`, 'retry the export');
    }
    leaves.push(...parseBundle(new Uint8Array(await res.arrayBuffer()), width));
  }
  return leaves;
}

/**
 * SPEC §13: a leaf is the JCS of `{ entry, descriptor }`. Checks that it names exactly the
 * exported entry and descriptor bytes and returns the one field `/watch` does not carry.
 */
export function appliedByOf(leaf: Uint8Array, want: LeafExpectation): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(leaf).toString('utf8'));
  } catch {
    throw bad(`leaf of seq ${want.log.seq} is not JSON`);
  }
  const entry = (parsed ?? {}) as { entry?: Record<string, unknown> };
  const appliedBy = entry.entry?.applied_by;
  if (typeof appliedBy !== 'string') throw bad(`leaf of seq ${want.log.seq} has no applied_by`);
  // Rebuilt from what was verified, plus applied_by: any other difference is a different leaf.
  const expected = logLeaf({ ...want.log, applied_by: appliedBy }, JSON.parse(want.body));
  if (!Buffer.from(leaf).equals(Buffer.from(expected))) {
    throw bad(`leaf of seq ${want.log.seq} is not the logged entry and descriptor`);
  }
  return appliedBy;
}

/** RFC 9162 §2.1.1: the root of the leaves equals the checkpoint's, at the checkpoint's size. */
export function assertCheckpointRoot(note: string, leaves: readonly Uint8Array[]): void {
  const cp = checkpointOf(note);
  if (cp.size !== leaves.length) throw bad(`the checkpoint is for size ${cp.size}, not ${leaves.length}`);
  let edge = EMPTY_EDGE;
  for (const leaf of leaves) edge = appendLeaf(edge, leafHash(leaf)).edge;
  if (!hashEquals(edgeRoot(edge), cp.rootHash)) {
    throw bad(`the tree of the ${leaves.length} entries does not have the checkpoint's root`);
  }
}
