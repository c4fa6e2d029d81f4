/**
 * The failover drill's end-of-run checks, over the HTTP API of each instance: acknowledged
 * applies vs what every instance serves, convergence of the instances' listings, versions
 * and stream views, and the ack gaps that measure the write pause.
 */
import type { AckTime } from './failover-writer.js';
import { type Api, headDigest } from './soak-writer.js';

const API = '/v1/registry';

export interface Listed {
  readonly id: string;
  readonly version: number;
  readonly digest: string;
  readonly deprecated: boolean;
  readonly ts: number;
}

/** The whole /descriptors listing (every page) as one instance serves it. */
export async function listAll(api: Api): Promise<Listed[]> {
  const out: Listed[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const r = await api.call('GET', `${API}/descriptors?limit=1000${q}`);
    if (r.status !== 200) throw new Error(`GET /descriptors: ${r.status} ${r.body.slice(0, 200)}`);
    const page = JSON.parse(r.body) as { items: Listed[]; next_cursor: string | null };
    for (const i of page.items) {
      out.push({ id: i.id, version: i.version, digest: i.digest, deprecated: i.deprecated, ts: i.ts });
    }
    cursor = page.next_cursor;
  } while (cursor !== null);
  return out;
}

/** Ids whose listed head (version, digest, deprecation, ts) differs between two listings. */
export function listingDiff(a: readonly Listed[], b: readonly Listed[]): string[] {
  const key = (x: Listed) => `${x.version} ${x.digest} ${x.deprecated} ${x.ts}`;
  const ma = new Map(a.map((x) => [x.id, key(x)]));
  const mb = new Map(b.map((x) => [x.id, key(x)]));
  const ids = new Set([...ma.keys(), ...mb.keys()]);
  return [...ids].filter((id) => ma.get(id) !== mb.get(id)).sort();
}

export interface ClusterReadyz {
  readonly status: number;
  readonly version: number;
  readonly nats: string;
  readonly lagSeqs: number;
  readonly refused: number;
  /** The last stream sequence in the view (/version trails it by refusals and lost races). */
  readonly streamSeq: number;
  readonly races: number;
}

export async function readyz(api: Api): Promise<ClusterReadyz | undefined> {
  try {
    const r = await api.call('GET', '/readyz');
    const b = JSON.parse(r.body) as {
      version?: number;
      cluster?: {
        nats?: string;
        lag?: { seqs?: number };
        refused?: number;
        stream_seq?: number;
        races?: number;
      };
    };
    return {
      status: r.status,
      version: b.version ?? 0,
      nats: b.cluster?.nats ?? 'none',
      lagSeqs: b.cluster?.lag?.seqs ?? -1,
      refused: b.cluster?.refused ?? -1,
      streamSeq: b.cluster?.stream_seq ?? b.version ?? 0,
      races: b.cluster?.races ?? 0,
    };
  } catch {
    return undefined;
  }
}

/**
 * Waits until every instance is ready, connected, has no lag and answers the same version
 * twice in a row; returns that version, or undefined after `timeoutMs`.
 */
export async function converge(apis: readonly Api[], timeoutMs: number): Promise<number | undefined> {
  const deadline = performance.now() + timeoutMs;
  let last = -1;
  while (performance.now() < deadline) {
    const rs = await Promise.all(apis.map(readyz));
    const versions = new Set(rs.map((r) => r?.version));
    const settled = rs.every((r) => r?.status === 200 && r.nats === 'connected' && r.lagSeqs === 0);
    const [v] = [...versions];
    if (settled && versions.size === 1 && v !== undefined) {
      if (v === last) return v;
      last = v;
    } else last = -1;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

export interface AckCheck {
  readonly acknowledged: number;
  /** Served by every instance at (id, version) with the acknowledged digest. */
  readonly presentEverywhere: number;
  /** Present per instance (same order as the apis). */
  readonly presentAt: readonly number[];
  /** Acks whose seq holds another digest in the log the watchers saw. */
  readonly misplaced: number;
  readonly examples: readonly string[];
}

/** Every acknowledged (id, version, digest) read back from every instance, and at its seq. */
export async function checkAcks(
  apis: readonly Api[],
  acks: readonly AckTime[],
  logDigests: ReadonlyMap<number, string>,
): Promise<AckCheck> {
  const presentAt = apis.map(() => 0);
  let presentEverywhere = 0;
  let misplaced = 0;
  const examples: string[] = [];
  for (const { ack } of acks) {
    const served = await Promise.all(
      apis.map((api) => headDigest(api, ack.descriptor_id, ack.descriptor_version).catch(() => undefined)),
    );
    served.forEach((d, i) => {
      if (d === ack.digest) presentAt[i] = (presentAt[i] ?? 0) + 1;
    });
    if (served.every((d) => d === ack.digest)) presentEverywhere++;
    else if (examples.length < 5) {
      examples.push(`${ack.descriptor_id} v${ack.descriptor_version}: served ${served.join(' / ')}`);
    }
    if (logDigests.get(ack.version) !== ack.digest) {
      misplaced++;
      if (examples.length < 5) examples.push(`${ack.descriptor_id} seq ${ack.version} holds another digest`);
    }
  }
  return { acknowledged: acks.length, presentEverywhere, presentAt, misplaced, examples };
}

export interface Gap {
  /** The longest interval without an ack that overlaps the window (ms). */
  readonly longestMs: number;
  /** From the window's start to the first ack after it (ms); the window's length when none. */
  readonly firstAckMs: number;
}

/**
 * Ack gaps in the window [from, to] of `times` (sorted, performance.now() ms): the gap that
 * straddles `from` counts from the last ack before it.
 */
export function gapIn(times: readonly number[], from: number, to: number): Gap {
  let prev: number | undefined;
  let longest = 0;
  let first: number | undefined;
  for (const t of times) {
    if (t <= from) {
      prev = t;
      continue;
    }
    if (t > to) break;
    first ??= t;
    longest = Math.max(longest, t - (prev ?? from));
    prev = t;
  }
  longest = Math.max(longest, to - (prev ?? from));
  return { longestMs: longest, firstAckMs: (first ?? to) - from };
}

export interface ViewStats {
  /**
   * The longest time this view stayed at one version while the stream (or another
   * instance's view) was ahead of it (ms): a follower that stopped following.
   */
  readonly longestStalledMs: number;
  /** The most seqs it was behind the stream or another instance. */
  readonly maxBehindSeqs: number;
  /** The most lag its own /readyz reported (`cluster.lag.seqs`). */
  readonly maxReportedLag: number;
  /** The longest time its /readyz showed NATS not connected while it answered (ms). */
  readonly longestDisconnectedMs: number;
}

/**
 * Polls /readyz of every instance, and the stream's last sequence as the nats nodes report
 * it (`streamSeq`), together for the whole drill, so each view can be held against the
 * stream and the other views: how long and how far it fell behind, and what its own
 * /readyz said. (Registry version = stream sequence while no message is refused.)
 */
export class ViewMonitor {
  readonly #samples: { at: number; stream: number; rs: (ClusterReadyz | undefined)[] }[] = [];
  #running = true;
  readonly done: Promise<void>;

  constructor(apis: readonly Api[], streamSeq: () => Promise<number>, everyMs = 250) {
    this.done = (async () => {
      while (this.#running) {
        const at = performance.now();
        const [stream, rs] = await Promise.all([streamSeq().catch(() => 0), Promise.all(apis.map(readyz))]);
        this.#samples.push({ at, stream, rs });
        await new Promise((r) => setTimeout(r, everyMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.done;
  }

  /** One line per poll: seconds from `t0`, the stream seq, then each instance's version/lag/nats (or `-`). */
  lines(t0: number): string[] {
    return this.#samples.map(
      ({ at, stream, rs }) =>
        `${((at - t0) / 1000).toFixed(2)} stream:${stream} ${rs.map((r) => (r === undefined ? '-' : `${r.status}:${r.version}/${r.lagSeqs}/${r.nats}`)).join(' ')}`,
    );
  }

  /** Stats of instance `i` (an unanswered poll ends a stall or a disconnection). */
  stats(i: number): ViewStats {
    let stalledSince: number | undefined;
    let offSince: number | undefined;
    let prev: number | undefined;
    let longestStalled = 0;
    let longestOff = 0;
    let maxBehind = 0;
    let maxReported = 0;
    for (const { at, stream, rs } of this.#samples) {
      const r = rs[i];
      // Stream positions, not versions: a lost race is a stream message no view serves.
      const ahead = Math.max(stream, ...rs.map((x) => x?.streamSeq ?? 0));
      if (r === undefined || r.status !== 200) {
        stalledSince = offSince = prev = undefined;
        continue;
      }
      const at_ = r.streamSeq;
      maxBehind = Math.max(maxBehind, ahead - at_);
      maxReported = Math.max(maxReported, r.lagSeqs);
      if (at_ < ahead && at_ === prev) {
        stalledSince ??= at;
        longestStalled = Math.max(longestStalled, at - stalledSince);
      } else stalledSince = at_ < ahead ? at : undefined;
      prev = at_;
      if (r.nats !== 'connected') {
        offSince ??= at;
        longestOff = Math.max(longestOff, at - offSince);
      } else offSince = undefined;
    }
    return {
      longestStalledMs: longestStalled,
      maxBehindSeqs: maxBehind,
      maxReportedLag: maxReported,
      longestDisconnectedMs: longestOff,
    };
  }
}
