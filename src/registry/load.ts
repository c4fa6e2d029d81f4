import {
  type Governance,
  type GovernanceBody,
  governanceOf,
  type Payload,
  RegistryError,
  sameGovernance,
} from '../core/index.js';
import { CHUNK_ROWS, encodeChunk, type Store } from '../store/index.js';
import { type Entry, entryFromStored, parseAppliedDescriptor } from './entry.js';
import type { Snapshot } from './snapshot.js';

export interface LoadReport {
  readonly fromCheckpoint: boolean;
  /** Heads read individually: all of them without a checkpoint, else those changed after it. */
  readonly read: number;
}

/**
 * Fills `snapshot` from the store (SPEC §10 start-up): from the checkpoint when there is a
 * usable one, replaying the log after it (as etcd replays its WAL after a snapshot), else
 * from every `head/`. Failures name the key and the reason.
 */
export async function loadSnapshot(
  store: Store,
  snapshot: Snapshot,
  useCheckpoint = true,
): Promise<LoadReport> {
  const version = await store.version();
  const cp = useCheckpoint && store.persistent ? await store.readCheckpoint() : undefined;
  let refs: Array<[string, number]>;
  let fromCheckpoint = false;
  if (cp !== undefined && cp.meta.seq <= version) {
    fromCheckpoint = true;
    for (const r of cp.rows) {
      snapshot.put({
        id: r.id,
        version: r.version,
        kind: r.kind,
        deprecated: r.deprecated,
        ts: r.ts,
        digest: r.digest,
        etag: `"${r.digest}"`,
        bytes: r.bytes,
      });
    }
    const latest = new Map<string, number>();
    for (let after = cp.meta.seq; after < version; ) {
      const page = await store.log(after, 10_000);
      const last = page.at(-1);
      if (last === undefined)
        throw new RegistryError('StoreUnavailable', `log ends at seq ${after}, meta/version is ${version}`);
      for (const e of page) latest.set(e.descriptor_id, e.version);
      after = last.seq;
    }
    refs = [...latest];
  } else {
    refs = await store.heads();
  }
  const raws = await store.descriptors(refs);
  for (let i = 0; i < refs.length; i++) {
    const [id, v] = refs[i] as [string, number];
    const raw = raws[i];
    if (raw === undefined) {
      throw new RegistryError('StoreUnavailable', `store is missing desc/${id}/v/${v} (head of ${id})`);
    }
    snapshot.put(entryFromStored(id, v, raw));
  }
  const gov = snapshot.get('governance');
  if (gov === undefined)
    throw new RegistryError('StoreUnavailable', 'store has descriptors but no head/governance');
  const g = parseAppliedDescriptor(gov.bytes);
  snapshot.governance = governanceOf(g as Payload & { kind: 'governance' });
  const regions = await store.regions();
  const rh = snapshot.get('regions');
  if (regions !== undefined && rh !== undefined)
    snapshot.regions = { bytes: Buffer.from(regions), etag: rh.etag };
  snapshot.version = version;
  return { fromCheckpoint, read: refs.length };
}

/**
 * Writes a checkpoint of the snapshot as it is now. Entries are immutable, so capturing the
 * list and its seq first gives a consistent view while later applies go on; encoding yields
 * to the event loop between chunks so reads are not held up.
 */
export async function writeCheckpoint(store: Store, snapshot: Snapshot): Promise<void> {
  const seq = snapshot.version;
  const entries: Entry[] = [...snapshot.heads.values()];
  const chunks: Buffer[] = [];
  for (let i = 0; i < entries.length; i += CHUNK_ROWS) {
    chunks.push(encodeChunk(entries.slice(i, i + CHUNK_ROWS)));
    await new Promise((r) => setImmediate(r));
  }
  await store.writeCheckpoint(seq, chunks, entries.length);
}

/**
 * SPEC §3: once a store exists its governance head is authoritative; settings that are
 * given and disagree with it refuse the start (serve exits 2 naming both).
 */
export function assertConfiguredGovernance(current: Governance, configured: GovernanceBody): void {
  const body = { signers: [...current.signers], threshold: current.threshold };
  if (sameGovernance(body, configured)) return;
  throw new RegistryError(
    'BadRequest',
    `configured signers [${configured.signers.join(',')}] threshold ${configured.threshold} disagree with the stored governance v${current.version}: signers [${body.signers.join(',')}] threshold ${body.threshold}`,
    'omit SIGNER_ALLOWLIST and SIG_THRESHOLD (the stored governance is authoritative) or make them match',
  );
}
