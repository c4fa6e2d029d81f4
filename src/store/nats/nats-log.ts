import {
  type ConsumerMessages,
  DeliverPolicy,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { RegistryError } from '../../core/index.js';
import { isCasConflict, unavailable } from './nats-errors.js';
import { ProposalBucket } from './proposal-bucket.js';
import { descriptorSubject, idOfSubject } from './subject.js';

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
}

/** What an apply publishes: the exact served bytes and the audit fields of its log entry. */
export interface LogMessage {
  readonly id: string;
  readonly bytes: Uint8Array;
  /** The digest: `Nats-Msg-Id`, so a retried publish is stored once. */
  readonly digest: string;
  readonly appliedBy: string;
  readonly ts: number;
}

/** One stream message as the follower sees it. */
export interface StreamMessage {
  readonly seq: number;
  /** undefined when the subject is not a descriptor subject (refused by the follower). */
  readonly id: string | undefined;
  readonly bytes: Uint8Array;
  readonly appliedBy: string;
  readonly ts: number;
  /** Messages the stream holds after this one (the follower's lag). */
  readonly pending: number;
}

export type PublishOutcome = { readonly seq: number; readonly duplicate: boolean } | 'conflict';

export type ConnectionState = 'connected' | 'reconnecting' | 'closed';

const H_BY = 'Registry-Applied-By';
const H_TS = 'Registry-Applied-At';

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
      await nc.close().catch(() => undefined);
      throw unavailable('open the stream', err);
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
  async follow(
    fromSeq: number,
    onMessage: (m: StreamMessage) => unknown,
    onOdd: (what: string) => void = () => undefined,
  ): Promise<Follow> {
    const consumer = await this.#js.consumers.get(this.stream, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Math.max(1, fromSeq),
    });
    // Short pulls: a consumer orphaned by a leader change is noticed (two missed heartbeats)
    // and recreated in seconds, not after the 30 s default.
    const messages = await consumer.consume({ max_messages: 512, expires: 4_000 });
    const done = (async () => {
      for await (const m of messages) {
        const { streamSequence: seq, pending, stream } = m.info;
        // Only what is certainly a message of this stream reaches the engine: a delivery
        // whose metadata does not parse as one must not move the follower's cursor.
        if (
          stream !== this.stream ||
          !Number.isSafeInteger(seq) ||
          seq < 1 ||
          !Number.isSafeInteger(pending)
        ) {
          onOdd(`skipped a delivery that is not a message of stream ${this.stream} (subject ${m.subject})`);
          continue;
        }
        const r = onMessage(
          toMessage(this.stream, seq, m.subject, m.data, (k) => m.headers?.get(k) ?? '', pending),
        );
        if (r instanceof Promise) await r;
      }
    })();
    return new Follow(messages, done);
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

/** A running follow; `stop` ends it, `done` settles when it has ended. */
export class Follow {
  readonly #messages: ConsumerMessages;
  readonly done: Promise<void>;

  constructor(messages: ConsumerMessages, done: Promise<void>) {
    this.#messages = messages;
    this.done = done;
  }

  /** Bounded: a consumer cut off from its server may never confirm its close. */
  async stop(timeoutMs = 2_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((r) => {
      timer = setTimeout(r, timeoutMs);
    });
    const closing = (async () => {
      await this.#messages.close().catch(() => undefined);
      await this.done.catch(() => undefined);
    })();
    await Promise.race([closing, bound]);
    clearTimeout(timer);
  }
}

function toMessage(
  stream: string,
  seq: number,
  subject: string,
  data: Uint8Array,
  header: (k: string) => string,
  pending: number,
): StreamMessage {
  let appliedBy = '';
  try {
    appliedBy = decodeURIComponent(header(H_BY));
  } catch {
    appliedBy = '';
  }
  const ts = Number(header(H_TS));
  return {
    seq,
    id: idOfSubject(stream, subject),
    bytes: data,
    appliedBy,
    ts: Number.isSafeInteger(ts) ? ts : 0,
    pending,
  };
}

async function ensureStream(jsm: JetStreamManager, name: string, replicas: number): Promise<void> {
  try {
    await jsm.streams.info(name);
    await leaderOf(jsm, name);
    return;
  } catch (err) {
    if (!(err instanceof JetStreamApiError) || err.status !== 404) throw err;
  }
  try {
    await jsm.streams.add({
      name,
      subjects: [`${name}.d.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      num_replicas: replicas,
      // SPEC §4 append-only: nothing in the log is ever deleted.
      deny_delete: true,
      deny_purge: true,
      max_msgs: -1,
      max_bytes: -1,
      max_age: 0,
      duplicate_window: 120_000_000_000,
    });
  } catch (err) {
    // Another instance created it at the same moment: use theirs.
    await jsm.streams.info(name).catch(() => {
      throw err;
    });
  }
  await leaderOf(jsm, name);
}

/**
 * A replicated stream answers `info` before its Raft group has elected a leader, and a
 * publish in between finds no responder: wait (bounded) until it has one.
 */
async function leaderOf(jsm: JetStreamManager, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await jsm.streams.info(name);
    // A single server reports no cluster, or a cluster with itself as leader.
    if (info.cluster === undefined || (info.cluster.leader ?? '') !== '') return;
    if (Date.now() > deadline) throw new Error(`stream ${name} has no leader after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
