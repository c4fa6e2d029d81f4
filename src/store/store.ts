import type { AbstractBatchOptions, AbstractLevel } from 'abstract-level';
import { messageOf, RegistryError } from '../core/index.js';
import { type CheckpointMeta, type CheckpointRow, decodeChunk } from './checkpoint.js';
import { IMMUTABLE_PREFIXES, isImmutableKey, KEY, pad, prefixEnd } from './keys.js';
import type { Append, AppliedRecord, LogEntry, ProposalRecord } from './store.types.js';

export const SCHEMA_VERSION = 1;

export type Db = AbstractLevel<string | Uint8Array, string, Uint8Array>;

const te = new TextEncoder();
const td = new TextDecoder();
const text = (v: Uint8Array) => td.decode(v);
const json = (v: Uint8Array): unknown => JSON.parse(td.decode(v));
const enc = (v: unknown) => te.encode(typeof v === 'string' ? v : JSON.stringify(v));

// `sync` is classic-level's option (fsync before the callback); memory-level ignores it.
const SYNC = { sync: true } as AbstractBatchOptions<string, Uint8Array>;

/** One write of a batch; the transparency log (SPEC §13) hands its own to `append`. */
export type StoreOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };
type Op = StoreOp;

/**
 * The SPEC §4 keyspace over any abstract-level database (`level` on disk, `memory-level`
 * in amnesia). Every write goes through `write`, the one place that enforces that
 * `desc/` and `log/` keys are never overwritten or deleted.
 */
export class Store {
  readonly #db: Db;
  readonly persistent: boolean;

  constructor(db: Db, persistent: boolean) {
    this.#db = db;
    this.persistent = persistent;
  }

  /** Opens the database and applies the `meta/schema` gate (SPEC §4). */
  async open(): Promise<void> {
    await this.#guard('open', () => this.#db.open());
    const schema = await this.#get(KEY.schema);
    if (schema === undefined) {
      const anyKey = await this.#guard('open', () => this.#db.keys({ limit: 1 }).all());
      if (anyKey.length > 0) {
        throw new RegistryError('StoreUnavailable', 'store has data but no meta/schema: refusing to start');
      }
      await this.#write([{ type: 'put', key: KEY.schema, value: enc(String(SCHEMA_VERSION)) }]);
      return;
    }
    const found = text(schema);
    if (found !== String(SCHEMA_VERSION)) {
      throw new RegistryError(
        'StoreUnavailable',
        `store meta/schema is ${JSON.stringify(found)}; this registry understands schema ${SCHEMA_VERSION} only: refusing to start`,
        'run the registry release that wrote this store, or point --db at another directory',
      );
    }
  }

  async close(): Promise<void> {
    await this.#db.close();
  }

  /**
   * SPEC §8 amnesia: overwrites every value held in memory with zeros, in place. memory-level
   * (view encoding) keeps and hands out the very arrays it was given, so this reaches what the
   * snapshot no longer references (versions out of the read cache, pending proposals, the log).
   */
  async zeroFill(): Promise<void> {
    if (this.persistent) return;
    const values = await this.#guard('zero-fill', () => this.#db.values().all());
    for (const v of values) v.fill(0);
  }

  /** Global registry version: last log seq (0 on an empty store). */
  async version(): Promise<number> {
    const v = await this.#get(KEY.version);
    return v === undefined ? 0 : Number(text(v));
  }

  /** Cluster mode: the last stream sequence materialized (0 when none). */
  async streamSeq(): Promise<number> {
    const v = await this.#get(KEY.streamSeq);
    return v === undefined ? 0 : Number(text(v));
  }

  /** Every `head/<id>` as [id, version], in id order. */
  async heads(): Promise<Array<[string, number]>> {
    const entries = await this.#guard('read heads', () =>
      this.#db.iterator({ gte: 'head/', lt: prefixEnd('head/') }).all(),
    );
    return entries.map(([k, v]) => [k.slice(5), Number(text(v))]);
  }

  async descriptor(id: string, version: number): Promise<Uint8Array | undefined> {
    return this.#get(KEY.desc(id, version));
  }

  async descriptors(refs: ReadonlyArray<readonly [string, number]>): Promise<Array<Uint8Array | undefined>> {
    const keys = refs.map(([id, v]) => KEY.desc(id, v));
    return this.#guard('read descriptors', () => this.#db.getMany(keys));
  }

  /** Every stored version of `id`, ascending. */
  async versions(id: string): Promise<Array<[number, Uint8Array]>> {
    const prefix = KEY.descPrefix(id);
    const entries = await this.#guard('read versions', () =>
      this.#db.iterator({ gte: prefix, lt: prefixEnd(prefix) }).all(),
    );
    return entries.map(([k, v]) => [Number(k.slice(prefix.length)), v]);
  }

  /** Log entries with seq > `after`, ascending, at most `limit`. */
  async log(after: number, limit: number): Promise<LogEntry[]> {
    const entries = await this.#guard('read log', () =>
      this.#db.iterator({ gt: KEY.log(after), lt: prefixEnd('log/'), limit }).all(),
    );
    return entries.map(([, v]) => json(v) as LogEntry);
  }

  async regions(): Promise<Uint8Array | undefined> {
    return this.#get(KEY.regions);
  }

  async proposals(): Promise<ProposalRecord[]> {
    const entries = await this.#guard('read proposals', () =>
      this.#db.iterator({ gte: 'prop/', lt: prefixEnd('prop/') }).all(),
    );
    return entries.map(([, v]) => json(v) as ProposalRecord);
  }

  /** SPEC §4: written with `sync: true` before the 202. */
  async putProposal(p: ProposalRecord): Promise<void> {
    await this.#write([{ type: 'put', key: KEY.prop(p.proposal_id), value: enc(p) }]);
  }

  async deleteProposals(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#write(ids.map((id) => ({ type: 'del', key: KEY.prop(id) })));
  }

  /** The start-up checkpoint, or undefined when there is none or it cannot be read whole. */
  async readCheckpoint(): Promise<{ meta: CheckpointMeta; rows: CheckpointRow[] } | undefined> {
    const raw = await this.#get(KEY.snapMeta);
    if (raw === undefined) return undefined;
    try {
      const meta = json(raw) as CheckpointMeta;
      const rows: CheckpointRow[] = [];
      // One chunk at a time: LevelDB's read buffers are reused instead of piling up (RSS).
      for (let i = 0; i < meta.chunks; i++) {
        const c = await this.#get(KEY.snapChunk(i));
        if (c === undefined) return undefined;
        for (const r of decodeChunk(Buffer.from(c.buffer, c.byteOffset, c.byteLength))) rows.push(r);
      }
      return rows.length === meta.rows ? { meta, rows } : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Replaces the checkpoint in one batch (not fsynced: losing it only costs a longer
   * replay of the log on the next start).
   */
  async writeCheckpoint(seq: number, chunks: readonly Buffer[], rows: number): Promise<void> {
    const old = await this.#get(KEY.snapMeta);
    const oldChunks = old === undefined ? 0 : ((json(old) as CheckpointMeta).chunks ?? 0);
    const ops: Op[] = chunks.map((c, i) => ({ type: 'put', key: KEY.snapChunk(i), value: c }));
    for (let i = chunks.length; i < oldChunks; i++) ops.push({ type: 'del', key: KEY.snapChunk(i) });
    const meta: CheckpointMeta = { seq, chunks: chunks.length, rows };
    ops.push({ type: 'put', key: KEY.snapMeta, value: enc(meta) });
    await this.#write(ops, false);
  }

  async applied(proposalId: string): Promise<AppliedRecord | undefined> {
    const v = await this.#get(KEY.applied(proposalId));
    return v === undefined ? undefined : (json(v) as AppliedRecord);
  }

  /**
   * SPEC §4: one apply (here: one group of applies) = one atomic batch written with
   * `sync: true`: desc, head, log, meta/version, regions/current, applied, prop delete.
   * A resolved promise means the batch is on disk. `extra` (SPEC §13: tiles, `meta/tree`,
   * `meta/checkpoint`) goes into the same synced batch as the entries it covers.
   */
  async append(appends: readonly Append[], extra: readonly StoreOp[] = []): Promise<void> {
    const ops: Op[] = [];
    let last = 0;
    let streamSeq = 0;
    for (const a of appends) {
      if (a.streamSeq !== undefined) streamSeq = a.streamSeq;
      const { log } = a;
      ops.push({ type: 'put', key: KEY.desc(log.descriptor_id, log.version), value: a.bytes });
      ops.push({ type: 'put', key: KEY.head(log.descriptor_id), value: enc(String(log.version)) });
      ops.push({ type: 'put', key: KEY.log(log.seq), value: enc(log) });
      if (a.regions !== null) ops.push({ type: 'put', key: KEY.regions, value: a.regions });
      if (a.proposalId !== null) {
        const applied: AppliedRecord = {
          descriptor_id: log.descriptor_id,
          descriptor_version: log.version,
          version: log.seq,
        };
        ops.push({ type: 'put', key: KEY.applied(a.proposalId), value: enc(applied) });
        ops.push({ type: 'del', key: KEY.prop(a.proposalId) });
      }
      last = log.seq;
    }
    ops.push({ type: 'put', key: KEY.version, value: enc(String(last)) });
    if (streamSeq > 0) ops.push({ type: 'put', key: KEY.streamSeq, value: enc(String(streamSeq)) });
    for (const op of extra) ops.push(op);
    await this.#write(ops);
  }

  /** SPEC §13 keys (`tile/`, `meta/tree`, `meta/checkpoint`, `witness/`): raw bytes, or undefined. */
  async logValue(key: string): Promise<Uint8Array | undefined> {
    return this.#get(key);
  }

  /** Several SPEC §13 keys at once (full tiles for a proof). */
  async logValues(keys: readonly string[]): Promise<Array<Uint8Array | undefined>> {
    return this.#guard('read log values', () => this.#db.getMany(keys as string[]));
  }

  /**
   * Writes mutable SPEC §13 state outside an apply batch (new cosignatures on
   * `meta/checkpoint`, a witness's `witness/<origin>`), synced: a witness answers only after
   * its state is on disk. Immutable keys are refused as anywhere else.
   */
  async putLogValues(ops: readonly StoreOp[]): Promise<void> {
    await this.#write(ops);
  }

  /**
   * The only write path. SPEC §4: `desc/` and `log/` keys are never overwritten or
   * deleted; a batch that would do so is refused whole, before anything is written.
   */
  async #write(ops: readonly Op[], sync = true): Promise<void> {
    const immutable: string[] = [];
    for (const op of ops) {
      if (!isImmutableKey(op.key)) continue;
      if (op.type === 'del') throw appendOnly(op.key, 'delete');
      immutable.push(op.key);
    }
    if (new Set(immutable).size !== immutable.length) throw appendOnly(immutable.join(','), 'write twice');
    if (immutable.length > 0) {
      const existing = await this.#guard('check append-only', () => this.#db.getMany(immutable));
      const i = existing.findIndex((v) => v !== undefined);
      if (i >= 0) throw appendOnly(immutable[i] ?? '', 'overwrite');
    }
    await this.#guard('write', () => this.#db.batch(ops as Op[], sync ? SYNC : {}));
  }

  async #get(key: string): Promise<Uint8Array | undefined> {
    return this.#guard(`read ${key}`, () => this.#db.get(key));
  }

  async #guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      if (cause instanceof RegistryError) throw cause;
      throw new RegistryError(
        'StoreUnavailable',
        `store failed to ${what}: ${messageOf(cause)}`,
        'retry later; reads keep working (they are served from memory)',
        { cause },
      );
    }
  }
}

function appendOnly(key: string, what: string): RegistryError {
  // An engine bug, never a client's fault: refuse loudly rather than lose history.
  return new RegistryError(
    'StoreUnavailable',
    `append-only violation: refusing to ${what} ${key} (${IMMUTABLE_PREFIXES.join(', ')} are immutable)`,
  );
}

export { pad };
