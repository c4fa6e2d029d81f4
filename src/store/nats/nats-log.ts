import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { RegistryError } from '../../core/index.js';
import { isCasConflict, isTransient, misconfigured, unavailable } from './nats-errors.js';
import { ProposalBucket } from './proposal-bucket.js';
import { ensureStream } from './stream-admin.js';
import { type Follow, followStream, H_BY, H_TS, type StreamMessage, toMessage } from './stream-follow.js';
import { descriptorSubject } from './subject.js';

export { Follow, type StreamMessage } from './stream-follow.js';

export interface NatsLogOptions {
  /** Comma-separated or listed `nats://host:port` URLs of the cluster. */
  readonly servers: readonly string[];
  /** Stream name; subjects are `<stream>.d.<id token>`. */
  readonly stream: string;
  /** Stream and bucket replicas (3 in a 3-node cluster). */
  readonly replicas: number;
  /** Proposal bucket TTL (PROPOSAL_TTL). */
  readonly proposalTtlMs: number;
  /** Connection name shown by the server (`nats server report connections`). */
  readonly name: string;
  /** How long a publish may wait for the stream's acknowledgement. */
  readonly publishTimeoutMs?: number;
  /** Start-up met a transient JetStream failure and tries again after `delayMs` (logged by the caller). */
  readonly onRetry?: (err: RegistryError, delayMs: number) => void;
}

/** Start-up backoff between attempts to open the stream and the bucket: 250 ms doubling to 5 s. */
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5_000;

/** What an apply publishes: the exact served bytes and the audit fields of its log entry. */
export interface LogMessage {
  readonly id: string;
  readonly bytes: Uint8Array;
  /** The digest: `Nats-Msg-Id`, so a retried publish is stored once. */
  readonly digest: string;
  readonly appliedBy: string;
  readonly ts: number;
}

export type PublishOutcome = { readonly seq: number; readonly duplicate: boolean } | 'conflict';

export type ConnectionState = 'connected' | 'reconnecting' | 'closed';

/**
 * The replicated append-only log of cluster mode: one JetStream stream (Raft-replicated,
 * delete and purge denied) holding every applied descriptor in order, and a key-value
 * bucket of pending proposals. All NATS I/O of the registry goes through here; failures
 * come out as `StoreUnavailable` (retryable), a lost compare-and-set as `'conflict'`.
 */
export class NatsLog {
  readonly stream: string;
  readonly proposals: ProposalBucket;
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #timeout: number;
  #state: ConnectionState = 'connected';

  private constructor(
    nc: NatsConnection,
    jsm: JetStreamManager,
    stream: string,
    bucket: ProposalBucket,
    timeout: number,
  ) {
    this.#nc = nc;
    this.#jsm = jsm;
    this.#js = jetstream(nc, { timeout });
    this.stream = stream;
    this.proposals = bucket;
    this.#timeout = timeout;
    void this.#watchStatus();
  }

  /**
   * Connects (waiting for the first connection as long as it takes: a registry is not ready
   * before it has caught up with the stream), then creates the stream and the bucket if the
   * cluster has neither. Reconnects forever afterwards.
   */
  static async open(opts: NatsLogOptions): Promise<NatsLog> {
    const nc = await connect({
      servers: [...opts.servers],
      name: opts.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      waitOnFirstConnect: true,
      pingInterval: 5_000,
      // Without it every request builds two errors with stack traces up front, in case it
      // fails: 11 % of a cluster instance's CPU per apply, measured by bench/cluster.
      noAsyncTraces: true,
    });
    // A transient failure (a timeout, no leader yet, a node down) is waited out, as the
    // first connection is: /readyz stays 503 meanwhile. A configuration error exits 2.
    for (let delay = RETRY_FIRST_MS; ; delay = Math.min(RETRY_MAX_MS, delay * 2)) {
      try {
        const jsm = await jetstreamManager(nc, { timeout: 10_000 });
        await ensureStream(jsm, opts.stream, opts.replicas);
        let log: NatsLog | undefined;
        const bucket = await ProposalBucket.open(
          nc,
          `${opts.stream}-proposals`,
          opts.replicas,
          opts.proposalTtlMs,
          () => log?.state === 'connected',
        );
        log = new NatsLog(nc, jsm, opts.stream, bucket, opts.publishTimeoutMs ?? 5_000);
        return log;
      } catch (err) {
        if (!isTransient(err) || nc.isClosed()) {
          await nc.close().catch(() => undefined);
          throw misconfigured('open the stream', err);
        }
        opts.onRetry?.(unavailable('open the stream', err), delay);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /**
   * Appends one descriptor if `expectedSubjectSeq` is still the stream sequence of the
   * id's last message (per-id compare-and-set; 0: the id has no message yet).
   */
  async publish(m: LogMessage, expectedSubjectSeq: number): Promise<PublishOutcome> {
    this.#assertConnected();
    try {
      return await this.#append(m, { lastSubjectSequence: expectedSubjectSeq });
    } catch (err) {
      throw unavailable('publish', err);
    }
  }

  /**
   * Publishes the genesis only into an empty stream; false when another instance was first.
   * Retried for a while on anything else: a stream just created may not take a publish yet.
   */
  async publishGenesis(m: LogMessage, timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return (await this.#append(m, { lastSequence: 0 })) !== 'conflict';
      } catch (err) {
        if (Date.now() > deadline) throw unavailable('publish the genesis', err);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** One publish with the registry's headers and `Nats-Msg-Id`; a lost compare-and-set is `'conflict'`. */
  async #append(
    m: LogMessage,
    expect: { lastSubjectSequence: number } | { lastSequence: number },
  ): Promise<PublishOutcome> {
    const h = headers();
    h.set(H_BY, encodeURIComponent(m.appliedBy));
    h.set(H_TS, String(m.ts));
    try {
      const ack = await this.#js.publish(descriptorSubject(this.stream, m.id), m.bytes, {
        headers: h,
        msgID: m.digest,
        expect,
        timeout: this.#timeout,
      });
      return { seq: ack.seq, duplicate: ack.duplicate };
    } catch (err) {
      if (isCasConflict(err)) return 'conflict';
      throw err;
    }
  }

  /** The stream's last sequence (0 when empty). */
  async lastSeq(): Promise<number> {
    this.#assertConnected();
    try {
      return (await this.#jsm.streams.info(this.stream)).state.last_seq;
    } catch (err) {
      throw unavailable('read the stream state', err);
    }
  }

  /** The stream sequence of the last message of `id` (0 when none). */
  async lastSubjectSeq(id: string): Promise<number> {
    this.#assertConnected();
    try {
      const m = await this.#jsm.streams.getMessage(this.stream, {
        last_by_subj: descriptorSubject(this.stream, id),
      });
      return m?.seq ?? 0;
    } catch (err) {
      throw unavailable(`read the last message of ${id}`, err);
    }
  }

  /** The message at `seq`, for the start-up check that the local store is this stream's. */
  async messageAt(seq: number): Promise<StreamMessage | undefined> {
    try {
      const m = await this.#jsm.streams.getMessage(this.stream, { seq });
      if (m === null) return undefined;
      return toMessage(this.stream, m.seq, m.subject, m.data, (k) => m.header.get(k), 0);
    } catch (err) {
      throw unavailable(`read stream message ${seq}`, err);
    }
  }

  /**
   * Delivers every message from `fromSeq` on, in order, to `onMessage` (an ordered
   * consumer: it recreates itself after a reconnect or a leader change and resumes after
   * the last delivered message). `onMessage` may return a promise: backpressure.
   */
  follow(
    fromSeq: number,
    onMessage: (m: StreamMessage) => unknown,
    onOdd: (what: string) => void = () => undefined,
  ): Promise<Follow> {
    // Creating the consumer is a request like any other: its failure is StoreUnavailable
    // (retried), never a bare nats.js error escaping start-up (it crashed with exit 1).
    return followStream(this.#js, this.stream, fromSeq, onMessage, onOdd).catch((err: unknown) => {
      throw unavailable('follow the stream', err);
    });
  }

  async close(): Promise<void> {
    this.#state = 'closed';
    this.proposals.stop();
    await this.#nc.drain().catch(() => this.#nc.close());
  }

  #assertConnected(): void {
    if (this.#state !== 'connected') {
      throw new RegistryError(
        'StoreUnavailable',
        `the NATS cluster is ${this.#state === 'closed' ? 'closed' : 'unreachable'}: writes are paused, reads are served from this instance`,
      );
    }
  }

  async #watchStatus(): Promise<void> {
    for await (const s of this.#nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnecting') this.#state = 'reconnecting';
      else if (s.type === 'reconnect') this.#state = 'connected';
      else if (s.type === 'close') this.#state = 'closed';
    }
  }
}
