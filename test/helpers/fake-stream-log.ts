import type { SharedProposals, StreamFollow, StreamLog } from '../../src/registry/index.js';
import type {
  ConnectionState,
  LogMessage,
  ProposalRecord,
  PublishOutcome,
  StreamMessage,
} from '../../src/store/index.js';

/**
 * An in-process stand-in for the cluster's shared log (one JetStream stream and its
 * proposal bucket): append-only, dense sequences, per-id compare-and-set, publish
 * de-duplication on the digest, ordered follows with backpressure. Enough to drive
 * `openCluster` without a nats-server.
 */
export class FakeStreamLog implements StreamLog {
  readonly stream: string;
  state: ConnectionState = 'connected';
  readonly proposals = new FakeBucket();
  readonly #messages: Array<Omit<StreamMessage, 'pending'>> = [];
  readonly #byDigest = new Map<string, number>();
  #wake: Array<() => void> = [];

  constructor(stream = 'fake') {
    this.stream = stream;
  }

  /** Every message, in order (what `/watch` of any instance must agree with). */
  get messages(): ReadonlyArray<Omit<StreamMessage, 'pending'>> {
    return this.#messages;
  }

  async publish(m: LogMessage, expectedSubjectSeq: number): Promise<PublishOutcome> {
    const dup = this.#byDigest.get(m.digest);
    if (dup !== undefined) return { seq: dup, duplicate: true };
    if ((await this.lastSubjectSeq(m.id)) !== expectedSubjectSeq) return 'conflict';
    return { seq: this.append(m.id, m.bytes, m.appliedBy, m.ts, m.digest), duplicate: false };
  }

  async publishGenesis(m: LogMessage): Promise<boolean> {
    if (this.#messages.length > 0) return false;
    this.append(m.id, m.bytes, m.appliedBy, m.ts, m.digest);
    return true;
  }

  /** Appends a raw message (a test may publish what no registry would: a forgery). */
  append(id: string | undefined, bytes: Uint8Array, appliedBy: string, ts: number, digest?: string): number {
    const seq = this.#messages.length + 1;
    this.#messages.push({ seq, id, bytes, appliedBy, ts });
    if (digest !== undefined) this.#byDigest.set(digest, seq);
    const wake = this.#wake;
    this.#wake = [];
    for (const w of wake) w();
    return seq;
  }

  async lastSeq(): Promise<number> {
    return this.#messages.length;
  }

  async lastSubjectSeq(id: string): Promise<number> {
    for (let i = this.#messages.length - 1; i >= 0; i--) {
      const m = this.#messages[i];
      if (m?.id === id) return m.seq;
    }
    return 0;
  }

  async messageAt(seq: number): Promise<StreamMessage | undefined> {
    const m = this.#messages[seq - 1];
    return m === undefined ? undefined : { ...m, pending: 0 };
  }

  async follow(fromSeq: number, onMessage: (m: StreamMessage) => unknown): Promise<StreamFollow> {
    let stopped = false;
    let cursor = Math.max(1, fromSeq);
    let wakeMe: (() => void) | undefined;
    const done = (async () => {
      while (!stopped) {
        const m = this.#messages[cursor - 1];
        if (m === undefined) {
          await new Promise<void>((r) => {
            wakeMe = r;
            this.#wake.push(r);
          });
          continue;
        }
        cursor += 1;
        const r = onMessage({ ...m, pending: this.#messages.length - m.seq });
        if (r instanceof Promise) await r;
      }
    })();
    return {
      done,
      async stop() {
        stopped = true;
        wakeMe?.();
        await done;
      },
    };
  }
}

/** The proposal bucket: compare-and-set on a revision counter. */
class FakeBucket implements SharedProposals {
  readonly #records = new Map<string, { record: ProposalRecord; revision: number }>();
  #revision = 0;

  async get(proposalId: string) {
    return this.#records.get(proposalId);
  }

  async put(record: ProposalRecord, revision: number | undefined): Promise<boolean> {
    if (this.#records.get(record.proposal_id)?.revision !== revision) return false;
    this.#records.set(record.proposal_id, { record, revision: ++this.#revision });
    return true;
  }

  async delete(proposalId: string): Promise<void> {
    this.#records.delete(proposalId);
  }

  *values(): IterableIterator<ProposalRecord> {
    for (const { record } of this.#records.values()) yield record;
  }
}
