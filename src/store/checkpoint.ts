import type { Kind } from '../core/index.js';

/**
 * A start-up checkpoint of every head (etcd's snapshot beside its WAL; SPEC §10 start-up).
 * Derived data only: deleting every `snap/` key loses nothing but start-up speed.
 *
 * Chunk layout: u32 LE index length ‖ index (JSON rows) ‖ the rows' descriptor bytes, back
 * to back. Reading a few large values instead of 100k small ones is what makes loading fast.
 */
export interface CheckpointRow {
  readonly id: string;
  readonly version: number;
  readonly kind: Kind;
  readonly deprecated: boolean;
  /** The descriptor's own ts (Unix ms, set by the proposer). */
  readonly ts: number;
  readonly digest: string;
  /** SPEC §2: the JCS form of the whole signed descriptor, exactly as stored and served. */
  readonly bytes: Buffer;
}

export interface CheckpointMeta {
  /** The registry version (last log seq) the checkpoint reflects. */
  readonly seq: number;
  readonly chunks: number;
  readonly rows: number;
}

type IndexRow = [string, number, Kind, 0 | 1, number, string, number];

export const CHUNK_ROWS = 5000;

export function encodeChunk(rows: readonly CheckpointRow[]): Buffer {
  const index: IndexRow[] = rows.map((r) => [
    r.id,
    r.version,
    r.kind,
    r.deprecated ? 1 : 0,
    r.ts,
    r.digest,
    r.bytes.length,
  ]);
  const head = Buffer.from(JSON.stringify(index), 'utf8');
  const total = 4 + head.length + rows.reduce((n, r) => n + r.bytes.length, 0);
  const out = Buffer.allocUnsafe(total);
  out.writeUInt32LE(head.length, 0);
  head.copy(out, 4);
  let at = 4 + head.length;
  for (const r of rows) {
    r.bytes.copy(out, at);
    at += r.bytes.length;
  }
  return out;
}

/** Rows whose bytes are views into `chunk` (no copy). Throws on any inconsistency. */
export function decodeChunk(chunk: Buffer): CheckpointRow[] {
  const headLen = chunk.readUInt32LE(0);
  const index = JSON.parse(chunk.toString('utf8', 4, 4 + headLen)) as IndexRow[];
  if (!Array.isArray(index)) throw new Error('checkpoint index is not an array');
  let at = 4 + headLen;
  const rows: CheckpointRow[] = new Array(index.length);
  for (let i = 0; i < index.length; i++) {
    const [id, version, kind, deprecated, ts, digest, len] = index[i] as IndexRow;
    if (at + len > chunk.length) throw new Error('checkpoint chunk is truncated');
    rows[i] = {
      id,
      version,
      kind,
      deprecated: deprecated === 1,
      ts,
      digest,
      bytes: chunk.subarray(at, at + len),
    };
    at += len;
  }
  if (at !== chunk.length) throw new Error('checkpoint chunk has trailing bytes');
  return rows;
}
