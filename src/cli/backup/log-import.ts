import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DescriptorResponse } from '../../client/index.js';
import {
  canonicalJson,
  digestOf,
  type GovernanceBody,
  isRegistryError,
  parseDescriptor,
  payloadOf,
  RegistryError,
  signingBytes,
} from '../../core/index.js';
import { logLeaf } from '../../core/tlog/index.js';
import { type IngestItem, mirrorMode, Registry } from '../../registry/index.js';
import { openLevelStore, type Store } from '../../store/index.js';
import { UsageError } from '../usage-error.js';
import { type ExportHeader, eventOf, parseHeader, parseLine } from './export-format.js';
import { assertCheckpointRoot } from './log-leaves.js';
import { LogVerifier } from './log-verifier.js';

/** Readers do not apply the future-`ts` rule (README decisions): history is not re-admitted. */
const READER_NOW = Number.MAX_SAFE_INTEGER - 10 * 60 * 1000;

/**
 * The `applied_by` of an imported entry when the export has none (no transparency log on the
 * server; `/watch` does not carry it, SPEC §6); seq 1 keeps `genesis`.
 */
export const IMPORTED_BY = 'import';

export interface VerifiedExport {
  readonly header: ExportHeader;
  readonly items: readonly IngestItem[];
  /** The genesis every entry was verified from. */
  readonly genesis: GovernanceBody;
}

/** A line's descriptor as a served one: what the mirror's checks take. */
function servedOf(raw: unknown, n: number): DescriptorResponse {
  try {
    const descriptor = parseDescriptor(raw, READER_NOW);
    const digest = digestOf(signingBytes(payloadOf(descriptor)));
    return { descriptor, digest, etag: `"${digest}"`, registryVersion: 0, body: canonicalJson(raw) };
  } catch (err) {
    if (isRegistryError(err)) {
      throw new RegistryError(err.code, `line ${n}: descriptor: ${err.message}`, err.hint, { cause: err });
    }
    throw err;
  }
}

/**
 * Checks a whole export before anything is written: the header, then every line in order
 * through the mirror's checks (SPEC §11), then that the file holds exactly the seqs its header
 * names (a removed last line is as refused as a removed middle one).
 */
export function verifyExport(text: string, pinned: GovernanceBody | undefined): VerifiedExport {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const first = lines[0];
  if (first === undefined) throw new UsageError('the export file is empty');
  const header = parseHeader(first);
  const verifier = new LogVerifier(pinned);
  const items: IngestItem[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = parseLine(lines[i] ?? '', i + 1);
    const item = verifier.check(eventOf(line), servedOf(line.descriptor, i + 1));
    if (header.checkpoint !== undefined && line.applied_by === undefined) {
      throw new RegistryError('BadRequest', `line ${i + 1}: no applied_by in an export with a checkpoint`);
    }
    const appliedBy = line.applied_by ?? (item.log.seq === 1 ? item.log.applied_by : IMPORTED_BY);
    items.push({ ...item, log: { ...item.log, applied_by: appliedBy } });
  }
  if (verifier.seq !== header.registry_version) {
    throw new RegistryError(
      'BadRequest',
      `the file ends at seq ${verifier.seq} but its header says registry version ${header.registry_version}`,
      'the export is truncated or was edited; take a new one',
    );
  }
  if (items[0]?.log.digest !== header.genesis) {
    throw new RegistryError('BadRequest', `seq 1 is not the genesis ${header.genesis} the header names`);
  }
  if (header.checkpoint !== undefined) {
    // SPEC §13: the restored log must be the tree the checkpoint signs, leaf for leaf.
    assertCheckpointRoot(
      header.checkpoint,
      items.map((it) => logLeaf(it.log, JSON.parse(it.bytes.toString('utf8')))),
    );
  }
  const genesis = verifier.genesis;
  if (genesis === undefined) throw new RegistryError('BadRequest', 'no genesis');
  return { header, items, genesis };
}

/** SPEC §4 store directories only start empty here: an import never merges into a log. */
function assertEmptyDir(dir: string): boolean {
  if (!existsSync(dir)) return false;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new UsageError(`--db ${dir}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  if (names.length > 0) {
    throw new UsageError(
      `--db ${dir} is not empty`,
      'import restores into an empty store only: give a new directory',
    );
  }
  return true;
}

/**
 * Writes verified entries through `Registry.ingest` (the committer path of a mirror), so the
 * store serves the export's seqs and bytes. On any failure the directory is left as it was
 * found (removed, or emptied if it existed empty): no half store.
 */
export async function importInto(dir: string, v: VerifiedExport): Promise<number> {
  const existed = assertEmptyDir(dir);
  mkdirSync(dir, { recursive: true });
  let registry: Registry | undefined;
  let store: Store | undefined;
  try {
    store = await openLevelStore(dir);
    registry = await Registry.open(store, { mode: mirrorMode, genesis: v.genesis });
    const CHUNK = 1024;
    for (let i = 0; i < v.items.length; i += CHUNK) {
      const r = registry;
      await Promise.all(v.items.slice(i, i + CHUNK).map((item) => r.ingest(item)));
    }
    const version = registry.version;
    await registry.close();
    registry = undefined;
    if (version !== v.header.registry_version) {
      throw new RegistryError(
        'StoreUnavailable',
        `imported ${version} of ${v.header.registry_version} entries`,
      );
    }
    return version;
  } catch (err) {
    if (registry !== undefined) await registry.close().catch(() => undefined);
    else await store?.close().catch(() => undefined);
    if (existed) for (const n of readdirSync(dir)) rmSync(join(dir, n), { recursive: true, force: true });
    else rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
