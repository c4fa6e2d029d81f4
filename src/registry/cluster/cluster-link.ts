import { messageOf, RegistryError } from '../../core/index.js';
import type { Append, ConnectionState, StreamMessage } from '../../store/index.js';
import type { ApplyResult } from '../apply-batch.js';
import type { ReplicaRun, Replicated } from './replicate.js';
import type { ReplicatedItem } from './replicated.js';
import type { SharedLog, StreamFollow, StreamLog } from './shared-log.js';
import { type Outcome, ViewWaiters } from './view-waiters.js';

/** A message handed to the engine, not yet settled in order. */
interface InFlight {
  readonly seq: number;
  settled: boolean;
  done: Promise<unknown>;
}

/** How many stream messages may be handed to the engine before the follower waits. */
const IN_FLIGHT = 1024;
/** How often the stream's end is read (lag, and the stalled-follower watchdog). */
const WATCHDOG_MS = 2_000;
/**
 * How long an acknowledged apply may take to show in this instance's view before the writer
 * gets a retryable 503 (its publish is durable: a retry answers the same 200).
 */
const VISIBLE_MS = 2_000;
/** The Retry-After of that 503: about one watchdog period, by when a stalled follower is replaced. */
const VISIBLE_RETRY_AFTER_S = 2;

/** `p`, or a rejection after `ms`: one slow NATS request must not hold the watchdog up. */
function withinMs<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export interface ClusterLinkOptions {
  /**
   * Materializes one message into the local view (`replicateInto`): stored, refused (a
   * verdict on the message), withdrawn; rejects when the local store failed to commit it.
   */
  readonly replicate: (item: ReplicatedItem, run: ReplicaRun) => Promise<Replicated>;
  /** The local store's stream cursor: the last stream sequence it holds (resume point). */
  readonly cursor: () => Promise<number>;
  /** A message every instance refuses (logged and counted by the caller), once per sequence. */
  readonly onRefused?: (seq: number, err: unknown) => void;
  /** A message that lost the race for its id's version (not served, not a verification failure), once per sequence. */
  readonly onRaced?: (seq: number, err: unknown) => void;
  /** How long the follower waits before resuming after a local commit failure (default 1 s). */
  readonly resumeMs?: number;
  /** Watchdog period (default 2 s; tests shorten it); also the bound on each NATS request it makes. */
  readonly watchdogMs?: number;
  /** The stream consumer ended unexpectedly; the link follows again after 1 s. */
  readonly onFollowError?: (err: unknown) => void;
  /** How long an acknowledged apply (or a writer's catch-up) may take to show in this instance's view (default 2 s). */
  readonly visibleTimeoutMs?: number;
}

/**
 * Cluster mode's link between the engine and the replicated log: it follows the stream
 * in order into the engine (`replicate`), remembers each id's last stream sequence for the
 * per-id compare-and-set, and answers a writer once its own view holds the outcome of the
 * publish (read-your-writes on this instance).
 *
 * Only a message that fails verification is refused. A local commit failure (a disk error)
 * is no verdict on the message: the follower stops, the engine reports writes degraded, and
 * after `resumeMs` it follows again from the store's stream cursor, so the view has no gap.
 */
export class ClusterLink implements SharedLog {
  readonly #log: StreamLog;
  readonly #opts: ClusterLinkOptions;
  /** Last stream sequence materialized or refused: everything up to it is in the view. */
  #processed = 0;
  /** The stream's last sequence as last seen by the follower. */
  #streamLast = 0;
  /** Sequences refused (a restarted follow refuses them again: counted once). */
  readonly #refused = new Set<number>();
  /** Sequences that lost the race for their id's version (counted once, like refusals). */
  readonly #raced = new Set<number>();
  readonly #subjectSeq = new Map<string, number>();
  /** Messages handed to the engine, in stream order, not yet settled in order. */
  #inFlight: InFlight[] = [];
  readonly #waiters = new ViewWaiters();
  #follow: StreamFollow | undefined;
  /** Bumped when a commit fails: outcomes of the earlier run are void. */
  #epoch = 0;
  #run: ReplicaRun = { broken: false };
  /** Between a commit failure and the resumed follow: deliveries are ignored. */
  #resuming = false;
  /** Last stream sequence handed to the engine: a restarted follow resumes after it. */
  #delivered = 0;
  #stopped = false;
  #watchdog: NodeJS.Timeout | undefined;
  /** Watchdog state: `#delivered` at the last check, and how many checks in a row it stood still behind the stream. */
  #seenDelivered = 0;
  #stillChecks = 0;
  #checking = false;
  /** Bumped by every (re)subscribe: a follow that answers after a newer one was asked for is stopped. */
  #generation = 0;

  constructor(log: StreamLog, opts: ClusterLinkOptions) {
    this.#log = log;
    this.#opts = opts;
  }

  get proposals() {
    return this.#log.proposals;
  }

  /** Starts following after `processed` (the local store's last materialized sequence). */
  async start(processed: number): Promise<void> {
    this.#processed = processed;
    this.#streamLast = Math.max(this.#streamLast, processed);
    this.#delivered = processed;
    this.#seenDelivered = processed;
    this.#stillChecks = 0;
    await this.#subscribe();
    // Start-up retries `start` after a NATS failure: one watchdog only.
    this.#watchdog ??= setInterval(() => void this.#check(), this.#watchdogMs);
    this.#watchdog.unref();
  }

  get #watchdogMs(): number {
    return this.#opts.watchdogMs ?? WATCHDOG_MS;
  }

  /**
   * Measured in the failover drill: after the NATS node this instance was connected to was
   * killed, the ordered consumer never delivered again (nats.js 3.4, nats-server 2.9.10),
   * while the stream went on. So the stream's end is polled (that is also what /readyz's lag
   * reports), and a follower standing still behind it for two checks is replaced.
   *
   * Every request of a check is bounded by the watchdog period: in the drill one stream-info
   * request right after the old leader rejoined took its full 10 s timeout, and the view
   * stood still ~14 s. A check whose request fails still counts (against the last known end
   * of the stream) while the connection is up: a failed check is no sign of a delivery.
   */
  async #check(): Promise<void> {
    if (this.#stopped || this.#checking || this.#resuming) return;
    this.#checking = true;
    try {
      let last = this.#streamLast;
      try {
        last = await withinMs(this.#log.lastSeq(), this.#watchdogMs, 'reading the stream state');
        this.#streamLast = Math.max(this.#streamLast, last);
      } catch {
        // NATS unreachable: /readyz says so, and the ordered consumer resumes by itself on
        // reconnect. Connected but unanswered: count the check against the last known end.
        if (this.#log.state !== 'connected') return;
      }
      const still = last > this.#delivered && this.#delivered === this.#seenDelivered;
      this.#stillChecks = still ? this.#stillChecks + 1 : 0;
      this.#seenDelivered = this.#delivered;
      if (this.#stillChecks < 2) return;
      this.#stillChecks = 0;
      this.#opts.onFollowError?.(
        new Error(`no delivery while ${last - this.#delivered} behind the stream: following again`),
      );
      const old = this.#follow;
      this.#follow = undefined; // its end is not a reason to follow again: this is
      void old?.stop();
      await withinMs(this.#subscribe(), this.#watchdogMs, 'following the stream again');
    } catch (err) {
      // The next checks count on: still behind with no delivery, they replace it again.
      this.#opts.onFollowError?.(err);
    } finally {
      this.#checking = false;
    }
  }

  /**
   * The ordered consumer survives reconnects and leader changes by itself; should it end
   * anyway (its stream or connection gone), follow again after the last delivered message.
   */
  async #subscribe(): Promise<void> {
    const generation = ++this.#generation;
    const f = await this.#log.follow(
      this.#delivered + 1,
      (m) => this.#deliver(m),
      (what) => this.#opts.onFollowError?.(new Error(what)),
    );
    if (this.#stopped || generation !== this.#generation) {
      // Answered after its bound, when a newer follow was already asked for: not needed.
      void f.stop();
      return;
    }
    this.#follow = f;
    f.done.then(
      () => this.#followEnded(f, undefined),
      (err: unknown) => this.#followEnded(f, err),
    );
  }

  #followEnded(f: StreamFollow, err: unknown): void {
    if (this.#stopped || this.#follow !== f) return;
    this.#opts.onFollowError?.(err ?? new Error('the stream consumer ended'));
    setTimeout(() => {
      if (this.#stopped || this.#follow !== f) return;
      this.#subscribe().catch((e: unknown) => this.#followEnded(f, e));
    }, 1_000).unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#watchdog);
    this.#waiters.rejectAll();
    await this.#follow?.stop();
    await Promise.allSettled(this.#inFlight.map((f) => f.done));
  }

  /**
   * What /readyz shows: the connection, the last stream sequence in the view (`processed`;
   * /version counts accepted entries only, so it trails the stream by the refusals and lost
   * races), how far the view lags the stream, refusals and lost races.
   */
  report(): { nats: ConnectionState; processed: number; lagSeqs: number; refused: number; races: number } {
    return {
      nats: this.#log.state,
      processed: this.#processed,
      lagSeqs: Math.max(0, this.#streamLast - this.#processed),
      refused: this.#refused.size,
      races: this.#raced.size,
    };
  }

  /** Bounded for a writer that lost a compare-and-set; unbounded (`false`) for the start-up catch-up. */
  async catchUp(bounded = true): Promise<void> {
    const reading = this.#log.lastSeq();
    const last = bounded
      ? await withinMs(reading, this.#visibleMs, 'reading the stream state').catch((err: unknown) => {
          if (err instanceof RegistryError) throw err;
          throw new RegistryError('StoreUnavailable', `NATS: ${messageOf(err)}`, 'retry the apply', {
            cause: err,
            retryAfterSeconds: VISIBLE_RETRY_AFTER_S,
          });
        })
      : await reading;
    this.#streamLast = Math.max(this.#streamLast, last);
    await this.#reach(last, bounded ? this.#visibleMs : undefined);
  }

  async publish(append: Append): Promise<ApplyResult | 'conflict'> {
    const id = append.log.descriptor_id;
    let expected = this.#subjectSeq.get(id);
    if (expected === undefined) {
      // Not seen since this process started: ask the stream, and make sure the view has it.
      expected = await this.#log.lastSubjectSeq(id);
      if (expected > this.#processed) return 'conflict';
    }
    const out = await this.#log.publish(
      {
        id,
        bytes: append.bytes,
        digest: append.log.digest,
        appliedBy: append.log.applied_by,
        ts: append.log.ts,
      },
      expected,
    );
    if (out === 'conflict') return 'conflict';
    this.#streamLast = Math.max(this.#streamLast, out.seq);
    await this.#reach(out.seq, this.#visibleMs);
    const o = this.#waiters.outcome(out.seq);
    // An old duplicate whose outcome is no longer kept: the caller finds its applied record.
    if (o === undefined) return 'conflict';
    if ('error' in o) throw o.error;
    return o.result;
  }

  #deliver(m: StreamMessage): Promise<unknown> | undefined {
    // After a commit failure: the resumed follow delivers this again.
    if (this.#resuming) return undefined;
    if (m.seq <= this.#delivered) return undefined; // a restarted follow's overlap
    if (m.seq !== this.#delivered + 1) {
      // The stream denies deletes, so its sequences are dense: a jump is not a message to take.
      this.#opts.onFollowError?.(
        new Error(
          `stream delivered seq ${m.seq} after ${this.#delivered}: skipped, waiting for ${this.#delivered + 1}`,
        ),
      );
      return undefined;
    }
    this.#delivered = m.seq;
    if (m.id !== undefined) this.#subjectSeq.set(m.id, m.seq);
    this.#streamLast = Math.max(this.#streamLast, m.seq + m.pending);
    const epoch = this.#epoch;
    const entry: InFlight = { seq: m.seq, settled: false, done: Promise.resolve() };
    const item = { streamSeq: m.seq, id: m.id, bytes: m.bytes, appliedBy: m.appliedBy, ts: m.ts };
    entry.done = this.#opts.replicate(item, this.#run).then(
      (o) => {
        if (epoch !== this.#epoch) return;
        switch (o.kind) {
          case 'stored':
            this.#settle(entry, { result: o.result });
            return;
          case 'refused':
            if (!this.#refused.has(m.seq)) {
              this.#refused.add(m.seq);
              this.#opts.onRefused?.(m.seq, o.error);
            }
            this.#settle(entry, { error: o.error });
            return;
          case 'raced':
            if (!this.#raced.has(m.seq)) {
              this.#raced.add(m.seq);
              this.#opts.onRaced?.(m.seq, o.error);
            }
            this.#settle(entry, { error: o.error });
            return;
          case 'withdrawn':
            this.#fault(m.seq, new Error('an earlier message of this follow failed to commit'));
            return;
          default: {
            const never: never = o;
            throw new Error(`unknown outcome ${String(never)}`);
          }
        }
      },
      (err: unknown) => {
        if (epoch === this.#epoch) this.#fault(m.seq, err);
      },
    );
    this.#inFlight.push(entry);
    // Backpressure: the consumer pulls more only when the engine keeps up.
    return this.#inFlight.length >= IN_FLIGHT ? this.#inFlight[0]?.done : undefined;
  }

  /**
   * A commit of the local store failed: not a verdict on `seq`. Everything handed to the
   * engine from here on is void; the follower resumes from what the store holds.
   */
  #fault(seq: number, err: unknown): void {
    if (this.#stopped) return;
    this.#epoch += 1;
    this.#resuming = true;
    this.#opts.onFollowError?.(
      new RegistryError(
        'StoreUnavailable',
        `stream message ${seq} could not be stored locally (${messageOf(err)}): following again from the store's stream cursor`,
        undefined,
        { cause: err },
      ),
    );
    void this.#resume();
  }

  async #resume(): Promise<void> {
    const old = this.#follow;
    this.#follow = undefined; // its end is not a reason to follow again: this is
    await old?.stop();
    await Promise.allSettled(this.#inFlight.map((f) => f.done));
    this.#inFlight = [];
    while (!this.#stopped) {
      await new Promise((r) => setTimeout(r, this.#opts.resumeMs ?? 1_000).unref());
      if (this.#stopped) return;
      try {
        const cursor = await this.#opts.cursor();
        this.#processed = cursor;
        this.#delivered = cursor;
        this.#seenDelivered = cursor;
        this.#stillChecks = 0;
        this.#run = { broken: false };
        this.#resuming = false;
        await this.#subscribe();
        return;
      } catch (err) {
        this.#resuming = true;
        this.#opts.onFollowError?.(err);
      }
    }
  }

  /** Outcomes settle out of order (a refusal at batch build, before the batch's commit). */
  #settle(entry: InFlight, outcome: Outcome): void {
    entry.settled = true;
    this.#waiters.record(entry.seq, outcome);
    while (this.#inFlight[0]?.settled === true) {
      this.#processed = (this.#inFlight.shift() as InFlight).seq;
    }
    this.#waiters.reached(this.#processed);
  }

  get #visibleMs(): number {
    return this.#opts.visibleTimeoutMs ?? VISIBLE_MS;
  }

  #reach(seq: number, timeoutMs?: number): Promise<void> {
    return this.#waiters.wait(seq, this.#processed, timeoutMs, VISIBLE_RETRY_AFTER_S);
  }
}
