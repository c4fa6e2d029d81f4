import type { DescriptorResponse, RegistryClient, WatchEvent } from '../../client/index.js';
import { type GovernanceBody, RegistryError } from '../../core/index.js';
import { EXPORT_FORMAT, type ExportHeader } from './export-format.js';
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
  /** The fetch of the checkpoint GET (default the global one); give the client the same. */
  readonly fetch?: typeof fetch;
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

/** The size a checkpoint note claims (c2sp.org/tlog-checkpoint: origin, size, root). */
function checkpointSize(note: string): number {
  const size = note.split('\n')[1] ?? '';
  if (!/^[0-9]{1,16}$/.test(size)) {
    throw new RegistryError(
      'BadRequest',
      'the served checkpoint has no size line (c2sp.org/tlog-checkpoint)',
    );
  }
  return Number(size);
}

/**
 * A consistent copy of the whole log (SPEC §6): replays `/watch` from 0 until a progress
 * note says the replay is current, fetches every logged version as served, and verifies
 * each one as a mirror does before it is written, so a backup is never silently corrupt.
 */
export async function exportLog(opts: ExportOptions): Promise<LogExport> {
  const { client } = opts;
  // Read first: the checkpoint covers a prefix of what the replay then reaches.
  const checkpoint = await fetchCheckpoint(client, opts.token, opts.fetch ?? fetch);
  const verifier = new LogVerifier(opts.pinned);
  const lines: string[] = [];
  let genesis = '';
  const queue: { ev: WatchEvent; fetched: Promise<DescriptorResponse> }[] = [];
  const drainOne = async (): Promise<void> => {
    const next = queue.shift();
    if (next === undefined) return;
    const served = await next.fetched;
    const item = verifier.check(next.ev, served);
    if (item.log.seq === 1) genesis = item.log.digest;
    const { seq, type, descriptor_id, version, digest, ts } = item.log;
    // The descriptor goes in as the served bytes (checked above to be its JCS form).
    const head = JSON.stringify({ seq, type, descriptor_id, version, digest, ts });
    lines.push(`${head.slice(0, -1)},"descriptor":${served.body}}`);
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
      } else if (item.registryVersion <= seen) {
        if (item.registryVersion < seen) {
          throw new RegistryError(
            'StaleVersion',
            `the server says its log head is ${item.registryVersion} after sending seq ${seen}`,
          );
        }
        current = item.registryVersion;
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
  if (checkpoint !== undefined && checkpointSize(checkpoint) > current) {
    throw new RegistryError(
      'BadRequest',
      `the checkpoint (size ${checkpointSize(checkpoint)}) is ahead of the log replayed to ${current}`,
    );
  }
  const header: ExportHeader = {
    format: EXPORT_FORMAT,
    registry_version: current,
    exported_at: new Date(opts.now()).toISOString(),
    source: client.baseUrl,
    genesis,
    genesis_pinned: opts.pinned !== undefined,
    ...(checkpoint === undefined ? {} : { checkpoint }),
  };
  return { header, lines };
}
