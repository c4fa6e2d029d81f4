import type { DescriptorResponse, RegistryClient, WatchEvent } from '../../client/index.js';
import { type GovernanceBody, RegistryError } from '../../core/index.js';
import type { LogEntry } from '../../store/index.js';
import { EXPORT_FORMAT, type ExportHeader } from './export-format.js';
import { appliedByOf, assertCheckpointRoot, checkpointOf, fetchLeaves } from './log-leaves.js';
import { LogVerifier } from './log-verifier.js';

/** Versions fetched ahead of verification (verification itself stays in seq order). */
const WINDOW = 32;

export interface LogExport {
  readonly header: ExportHeader;
  /** One JSON line per log entry, seq 1..registry_version, without newlines. */
  readonly lines: readonly string[];
}

export interface ExportOptions {
  readonly client: RegistryClient;
  readonly token: string | undefined;
  readonly pinned: GovernanceBody | undefined;
  readonly now: () => number;
  /** The fetch of the transparency-log GETs (default the global one); give the client the same. */
  readonly fetch?: typeof fetch;
}

/** A verified entry: its log fields (as `/watch` gives them) and the descriptor's served bytes. */
interface Verified {
  readonly log: Omit<LogEntry, 'applied_by'>;
  readonly body: string;
}

/**
 * SPEC §13 checkpoint as served (text), or undefined when the server has no transparency
 * log yet (404). Anything else is an error: a backup does not silently drop what it was asked for.
 */
async function fetchCheckpoint(
  client: RegistryClient,
  token: string | undefined,
  get: typeof fetch,
): Promise<string | undefined> {
  const url = `${client.baseUrl}/v1/registry/log/checkpoint`;
  let res: Response;
  try {
    res = await get(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  } catch (cause) {
    throw new RegistryError('StoreUnavailable', `GET ${url}: unreachable`, '', { cause });
  }
  const text = await res.text();
  if (res.status === 404) return undefined;
  if (res.status !== 200) {
    throw new RegistryError('StoreUnavailable', `GET ${url}: HTTP ${res.status}`, 'retry the export');
  }
  return text;
}

/** Replays `/watch` from 0, verifying in seq order, until current at a seq ≥ `atLeast`. */
async function replay(client: RegistryClient, verifier: LogVerifier, atLeast: number): Promise<Verified[]> {
  const out: Verified[] = [];
  const queue: { ev: WatchEvent; fetched: Promise<DescriptorResponse> }[] = [];
  const drainOne = async (): Promise<void> => {
    const next = queue.shift();
    if (next === undefined) return;
    const served = await next.fetched;
    const { applied_by: _, ...log } = verifier.check(next.ev, served).log;
    out.push({ log, body: served.body });
  };
  const stop = new AbortController();
  let seen = 0;
  let current: number | undefined;
  try {
    for await (const item of client.watch({ since: 0, signal: stop.signal })) {
      if (item.type === 'event') {
        seen = item.seq;
        const { descriptor_id: id, version } = item.event.data;
        const fetched = client.getVersion(id, version);
        fetched.catch(() => undefined); // awaited in order by drainOne
        queue.push({ ev: item, fetched });
        while (queue.length >= WINDOW) await drainOne();
      } else if (item.registryVersion < seen) {
        throw new RegistryError(
          'StaleVersion',
          `the server says its log head is ${item.registryVersion} after sending seq ${seen}`,
        );
      } else if (item.registryVersion === seen && seen >= atLeast) {
        current = seen;
        break;
      }
    }
  } finally {
    stop.abort();
  }
  if (current === undefined) {
    throw new RegistryError(
      'StoreUnavailable',
      `the watch stream ended at seq ${seen} before the replay was current`,
      'retry the export',
    );
  }
  while (queue.length > 0) await drainOne();
  if (current === 0 || verifier.seq !== current) {
    throw new RegistryError(
      'StoreUnavailable',
      `the log replay stopped at seq ${verifier.seq} of ${current}`,
    );
  }
  return out;
}

/**
 * A consistent copy of the whole log (SPEC §6): replays `/watch` from 0 until a progress
 * note says the replay is current, fetches every logged version as served, and verifies
 * each one as a mirror does before it is written, so a backup is never silently corrupt.
 *
 * With a transparency log (SPEC §13) the copy is exactly the tree of the checkpoint read
 * first (seqs 1..its size): each entry's leaf is read from the entry bundles, must be the
 * verified entry and descriptor, and gives its `applied_by`; the leaves must have the
 * checkpoint's root. So a restore can rebuild the same tree.
 */
export async function exportLog(opts: ExportOptions): Promise<LogExport> {
  const { client } = opts;
  const get = opts.fetch ?? fetch;
  const checkpoint = await fetchCheckpoint(client, opts.token, get);
  const size = checkpoint === undefined ? undefined : checkpointOf(checkpoint).size;
  if (size === 0)
    throw new RegistryError(
      'BadRequest',
      'the served checkpoint is of an empty log (SPEC §3: seq 1 is the genesis)',
    );
  const verifier = new LogVerifier(opts.pinned);
  const all = await replay(client, verifier, size ?? 1);
  const entries = size === undefined ? all : all.slice(0, size);
  let appliedBy: readonly string[] | undefined;
  if (checkpoint !== undefined && size !== undefined) {
    const leaves = await fetchLeaves(client.baseUrl, size, get, opts.token);
    appliedBy = entries.map((e, i) => appliedByOf(leaves[i] ?? new Uint8Array(), e));
    assertCheckpointRoot(checkpoint, leaves);
  }
  const lines = entries.map((e, i) => {
    const { seq, type, descriptor_id, version, digest, ts } = e.log;
    const by = appliedBy?.[i];
    const head = JSON.stringify({
      seq,
      type,
      descriptor_id,
      version,
      digest,
      ts,
      ...(by === undefined ? {} : { applied_by: by }),
    });
    // The descriptor goes in as the served bytes (checked by the verifier to be its JCS form).
    return `${head.slice(0, -1)},"descriptor":${e.body}}`;
  });
  const header: ExportHeader = {
    format: EXPORT_FORMAT,
    registry_version: entries.length,
    exported_at: new Date(opts.now()).toISOString(),
    source: client.baseUrl,
    genesis: entries[0]?.log.digest ?? '',
    genesis_pinned: opts.pinned !== undefined,
    ...(checkpoint === undefined ? {} : { checkpoint }),
  };
  return { header, lines };
}
