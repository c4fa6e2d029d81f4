import { type ConsumerMessages, DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import { idOfSubject } from './subject.js';

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

/** Headers an apply's message carries: the apply token's name and the apply time (SPEC §4 log entry). */
export const H_BY = 'Registry-Applied-By';
export const H_TS = 'Registry-Applied-At';

/**
 * The following half of the NATS log: delivers every message of `stream` from `fromSeq` on,
 * in order, to `onMessage` (an ordered consumer: it recreates itself after a reconnect or a
 * leader change and resumes after the last delivered message). `onMessage` may return a
 * promise: backpressure.
 */
export async function followStream(
  js: JetStreamClient,
  streamName: string,
  fromSeq: number,
  onMessage: (m: StreamMessage) => unknown,
  onOdd: (what: string) => void,
): Promise<Follow> {
  const consumer = await js.consumers.get(streamName, {
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
      if (stream !== streamName || !Number.isSafeInteger(seq) || seq < 1 || !Number.isSafeInteger(pending)) {
        onOdd(`skipped a delivery that is not a message of stream ${streamName} (subject ${m.subject})`);
        continue;
      }
      const r = onMessage(
        toMessage(streamName, seq, m.subject, m.data, (k) => m.headers?.get(k) ?? '', pending),
      );
      if (r instanceof Promise) await r;
    }
  })();
  return new Follow(messages, done);
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

export function toMessage(
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
