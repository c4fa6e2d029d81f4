import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { parseStoredProposal, RegistryError } from '../../core/index.js';
import type { ProposalRecord } from '../store.types.js';
import { isCasConflict, unavailable } from './nats-errors.js';

export interface Revisioned {
  /** undefined when the stored record is not a valid proposal: a new one may replace it. */
  readonly record: ProposalRecord | undefined;
  /** The bucket revision it was read at: the compare-and-set token of `put`. */
  readonly revision: number;
}

/**
 * Pending proposals of cluster mode in a JetStream key-value bucket (key: proposal_id,
 * TTL: PROPOSAL_TTL), so a proposal made on one instance is co-signed and applied through
 * any. Writes are compare-and-set on the revision read, so concurrent co-signatures on two
 * instances merge instead of overwriting each other. A local copy, kept by a watch, serves
 * the console's list and the pending gauge.
 */
export class ProposalBucket {
  readonly #kv: KV;
  readonly #connected: () => boolean;
  readonly #local = new Map<string, ProposalRecord>();
  #watch: { stop(): void } | undefined;

  private constructor(kv: KV, connected: () => boolean) {
    this.#kv = kv;
    this.#connected = connected;
  }

  /** `connected` lets a write fail at once while NATS is unreachable instead of timing out. */
  static async open(
    nc: NatsConnection,
    name: string,
    replicas: number,
    ttlMs: number,
    connected: () => boolean,
  ): Promise<ProposalBucket> {
    // No direct gets: a replica may answer those before it has the latest write, and a
    // proposal made through one instance must be visible to an apply through another.
    const kv = await new Kvm(nc).create(name, { replicas, history: 1, ttl: ttlMs, allow_direct: false });
    const bucket = new ProposalBucket(kv, connected);
    await bucket.#startWatch();
    return bucket;
  }

  async get(proposalId: string): Promise<Revisioned | undefined> {
    this.#assertConnected();
    try {
      const e = await this.#kv.get(proposalId);
      if (e === null || e.operation !== 'PUT') return undefined;
      return { record: validOrUndefined(proposalId, e.json<unknown>()), revision: e.revision };
    } catch (err) {
      throw unavailable('read proposal', err);
    }
  }

  /** Stores `record` if the key is still at `revision` (undefined: absent); false when it moved. */
  async put(record: ProposalRecord, revision: number | undefined): Promise<boolean> {
    this.#assertConnected();
    const data = JSON.stringify(record);
    try {
      if (revision === undefined) await this.#kv.create(record.proposal_id, data);
      else await this.#kv.update(record.proposal_id, data, revision);
    } catch (err) {
      if (isCasConflict(err)) return false;
      throw unavailable('store proposal', err);
    }
    this.#local.set(record.proposal_id, record);
    return true;
  }

  async delete(proposalId: string): Promise<void> {
    this.#local.delete(proposalId);
    try {
      await this.#kv.delete(proposalId);
    } catch (err) {
      throw unavailable('delete proposal', err);
    }
  }

  /** Pending proposals as last seen by the watch (for lists and gauges, not for decisions). */
  values(): IterableIterator<ProposalRecord> {
    return this.#local.values();
  }

  #assertConnected(): void {
    if (!this.#connected()) {
      throw new RegistryError(
        'StoreUnavailable',
        'the NATS cluster is unreachable: proposals are paused, reads are served from this instance',
      );
    }
  }

  stop(): void {
    this.#watch?.stop();
  }

  async #startWatch(): Promise<void> {
    const it = await this.#kv.watch();
    this.#watch = it;
    void (async () => {
      for await (const e of it) {
        if (e.operation === 'PUT') {
          const record = validOrUndefined(e.key, e.json<unknown>());
          if (record === undefined) this.#local.delete(e.key);
          else this.#local.set(e.key, record);
        } else this.#local.delete(e.key);
      }
    })().catch(() => undefined);
  }
}

/**
 * STYLE §2: a bucket record is parsed like any input (anything with access to NATS can
 * write it) and must be stored under its own id; one that is not is treated as absent.
 */
function validOrUndefined(key: string, raw: unknown): ProposalRecord | undefined {
  try {
    const record = parseStoredProposal(raw);
    return record.proposal_id === key ? record : undefined;
  } catch {
    return undefined;
  }
}
