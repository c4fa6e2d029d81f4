/**
 * The soak's watchers: raw SSE readers of /v1/registry/watch that resume with Last-Event-ID
 * after every refused, reset or ended stream, exactly as a TopologyWatcher does. Each counts
 * how often it saw every seq (so a lost or duplicated event shows), and every event's digest
 * is checked against the first one any watcher saw for that seq (so a seq that a crash
 * reassigned to another apply shows as divergent).
 */
import { type ClientRequest, request } from 'node:http';

const PATH = '/v1/registry/watch';

export interface WatcherTally {
  /** Seqs in (from, to] never delivered, summed over watchers. */
  readonly lost: number;
  /** Deliveries beyond the first of a seq, summed over watchers. */
  readonly duplicated: number;
  /** Deliveries whose digest differs from the first delivery of that seq. */
  readonly divergent: number;
  /** Deliveries with a seq not above the watcher's last one (out of order or repeated). */
  readonly outOfOrder: number;
  readonly reconnects: number;
  /** Watchers that ended with lost, duplicated or divergent events. */
  readonly badWatchers: number;
}

class Watcher {
  last: number;
  reconnects = 0;
  outOfOrder = 0;
  divergent = 0;
  /** counts[seq - from - 1]: deliveries of that seq; grows as the log does. */
  counts = new Uint8Array(1024);
  #req: ClientRequest | undefined;
  #done = false;

  constructor(
    readonly from: number,
    readonly url: string,
    readonly digests: Map<number, string>,
  ) {
    this.last = from;
  }

  start(): void {
    const req = request(
      new URL(PATH, this.url),
      { agent: false, headers: { 'last-event-id': String(this.last) } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          res.on('end', () => this.#retry(req));
          return;
        }
        res.setEncoding('utf8');
        let buf = '';
        // An event's fields come in any order (this server sends data before id); it is
        // complete at the blank line.
        let id: number | undefined;
        let data: string | undefined;
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl = buf.indexOf('\n');
          while (nl >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (line.startsWith('id: ')) id = Number(line.slice(4));
            else if (line.startsWith('data: ')) data = line.slice(6);
            else if (line === '') {
              if (id !== undefined && data !== undefined) this.#event(id, data);
              id = undefined;
              data = undefined;
            }
            nl = buf.indexOf('\n');
          }
        });
        res.on('error', () => undefined);
      },
    );
    req.on('error', () => undefined);
    // Refused, reset, ended or non-200: the socket closes, and the watcher resumes.
    req.on('close', () => this.#retry(req));
    req.end();
    this.#req = req;
  }

  #event(seq: number, data: string): void {
    if (seq <= this.last) this.outOfOrder++;
    else this.last = seq;
    const i = seq - this.from - 1;
    if (i < 0) return;
    while (i >= this.counts.length) {
      const bigger = new Uint8Array(this.counts.length * 2);
      bigger.set(this.counts);
      this.counts = bigger;
    }
    this.counts[i] = Math.min(255, (this.counts[i] ?? 0) + 1);
    const digest = (JSON.parse(data) as { data: { digest: string } }).data.digest;
    const first = this.digests.get(seq);
    if (first === undefined) this.digests.set(seq, digest);
    else if (first !== digest) this.divergent++;
  }

  #retry(req: ClientRequest): void {
    if (this.#done || this.#req !== req) return;
    this.#req = undefined;
    this.reconnects++;
    // Jittered, so 100 watchers do not reconnect in lockstep after a restart.
    setTimeout(() => this.#done || this.start(), 100 + Math.random() * 300);
  }

  stop(): void {
    this.#done = true;
    this.#req?.destroy();
  }
}

export class WatcherFleet {
  readonly #watchers: Watcher[];
  /**
   * seq -> digest, as first delivered to any watcher. Fleets on several instances of one
   * cluster (bench/failover.ts) share one map, so an instance serving another digest at a
   * seq shows as divergent.
   */
  readonly digests: Map<number, string>;

  constructor(url: string, n: number, from: number, digests = new Map<number, string>()) {
    this.digests = digests;
    this.#watchers = Array.from({ length: n }, () => new Watcher(from, url, this.digests));
  }

  start(): void {
    for (const w of this.#watchers) w.start();
  }

  /** The lowest seq every watcher has reached. */
  get low(): number {
    return Math.min(...this.#watchers.map((w) => w.last));
  }

  stop(): void {
    for (const w of this.#watchers) w.stop();
  }

  /** Every watcher against the final log (from, to]. */
  tally(to: number): WatcherTally {
    let lost = 0;
    let duplicated = 0;
    let badWatchers = 0;
    for (const w of this.#watchers) {
      let mine = 0;
      for (let seq = w.from + 1; seq <= to; seq++) {
        const c = w.counts[seq - w.from - 1] ?? 0;
        if (c === 0) lost++;
        if (c > 1) duplicated += c - 1;
        if (c !== 1) mine++;
      }
      if (mine > 0 || w.divergent > 0) badWatchers++;
    }
    const sum = (f: (w: Watcher) => number) => this.#watchers.reduce((x, w) => x + f(w), 0);
    return {
      lost,
      duplicated,
      divergent: sum((w) => w.divergent),
      outOfOrder: sum((w) => w.outOfOrder),
      reconnects: sum((w) => w.reconnects),
      badWatchers,
    };
  }
}
