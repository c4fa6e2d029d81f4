import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { generateSigningKey, RegistryError, type SigningKey } from '../../core/index.js';
import {
  appendLeaf,
  bytesOf,
  computeKeyId,
  concatBytes,
  consistencyProof,
  EMPTY_EDGE,
  edgeRoot,
  encodeEdge,
  hashEquals,
  inclusionProof,
  isValidKeyName,
  leafHash,
  parseEdge,
  SIG_TYPE_ED25519,
  TILE_HEIGHT,
  TILE_WIDTH,
  type TreeEdge,
  treeRoot,
} from '../../core/tlog/index.js';
import { type Append, KEY, type Store, type StoreOp } from '../../store/index.js';
import { leafHashOf } from './leaf-bytes.js';
import { type AsyncNoteSigner, SignedCheckpoint } from './signed-checkpoint.js';
import { leavesOf, loadRows, TileSource, tileKey } from './tile-source.js';

export interface TransparencyLogOptions {
  /** `LOG_KEY` (SPEC §8); a fresh in-memory key when absent (amnesia, tests). */
  readonly key?: SigningKey;
  /** `LOG_ORIGIN`; default `localhost/registry/<first 16 hex of the genesis digest>`. */
  readonly origin?: string;
  /** `WITNESS_QUORUM`: cosignatures a checkpoint needs before it is served (SPEC §13). */
  readonly witnessQuorum?: number;
  readonly now?: () => number;
}

/** A consistent snapshot for reads: the tree size and its partial tiles (one row per tile level). */
export interface TreeView {
  readonly size: number;
  readonly rows: readonly (readonly Uint8Array[])[];
}

/** What a batch will make of the tree, held until the batch is durable (or discarded). */
interface Pending {
  readonly edge: TreeEdge;
  readonly rows: Uint8Array[][];
  readonly checkpoint: SignedCheckpoint;
  readonly tiles: ReadonlyArray<readonly [string, Uint8Array]>;
}

const td = new TextDecoder();

/** `meta/checkpoint` (SPEC §13): the last signed note with its cosignatures, and the newest witnessed one. */
interface StoredCheckpoints {
  readonly signed: string;
  readonly signed_at: number;
  readonly witnessed: string | null;
  readonly witnessed_at: number | null;
}

/**
 * The event log as a Merkle tree (SPEC §13), kept by the engine's committer: `extend` turns a
 * batch's appends into the writes of the same synced batch (full tiles, `meta/tree`, a signed
 * `meta/checkpoint`), `committed` publishes that checkpoint once the batch is durable, `failed`
 * discards it. At start the edge and checkpoint are read back, never recomputed from the leaves.
 */
export class TransparencyLog {
  readonly #store: Store;
  readonly #key: SigningKey;
  readonly #configuredOrigin: string | undefined;
  readonly #now: () => number;
  readonly quorum: number;
  readonly tiles: TileSource;
  #signer: AsyncNoteSigner | undefined;
  #edge: TreeEdge = EMPTY_EDGE;
  #rows: Uint8Array[][] | undefined;
  #rowsLoading: Promise<Uint8Array[][]> | undefined;
  #latest: SignedCheckpoint | undefined;
  #witnessed: SignedCheckpoint | undefined;
  #pending: Pending | undefined;
  /** Called after each published checkpoint (the witness client sends it on). */
  onCheckpoint: ((cp: SignedCheckpoint) => void) | undefined;
  /** How the tree was restored at open (for the start-up log line). */
  restored: { built: number; ms: number } = { built: 0, ms: 0 };

  private constructor(store: Store, opts: TransparencyLogOptions) {
    this.#store = store;
    this.#key = opts.key ?? generateSigningKey();
    this.#configuredOrigin = opts.origin;
    this.#now = opts.now ?? Date.now;
    this.quorum = opts.witnessQuorum ?? 0;
    this.tiles = new TileSource(store);
  }

  /**
   * Restores the edge (`meta/tree`) and the checkpoint (`meta/checkpoint`). A store written
   * before the log existed (or behind its `meta/version`) has the missing leaves hashed once,
   * written in one synced batch, so every later start reads the edge back.
   */
  static async open(store: Store, opts: TransparencyLogOptions = {}): Promise<TransparencyLog> {
    const log = new TransparencyLog(store, opts);
    await log.#restore();
    return log;
  }

  get key(): SigningKey {
    return this.#key;
  }

  /** The durable tree size (the registry version once the engine has caught up). */
  get size(): number {
    return this.#edge.size;
  }

  get origin(): string | undefined {
    return this.#signer?.name;
  }

  /** The newest signed, durable checkpoint. */
  get latest(): SignedCheckpoint | undefined {
    return this.#latest;
  }

  /** SPEC §13: the newest checkpoint with WITNESS_QUORUM cosignatures, until then the newest signed one. */
  get served(): SignedCheckpoint | undefined {
    if (this.quorum === 0) return this.#latest;
    return this.#witnessed ?? this.#latest;
  }

  /** SPEC §9 `registry_checkpoint_age_seconds`: since the served checkpoint's newest cosignature, else its signing. */
  ageSeconds(): number | undefined {
    const cp = this.served;
    if (cp === undefined) return undefined;
    const newest = cp.newestCosignature;
    const now = this.#now();
    return newest === undefined ? (now - cp.signedAt) / 1000 : Math.max(0, now / 1000 - newest);
  }

  /** The committed root of the whole tree. */
  get root(): Uint8Array {
    return edgeRoot(this.#edge);
  }

  /**
   * The writes for one batch (SPEC §13): each append's leaf extends the edge; every tile that
   * fills becomes an immutable `tile/` key; `meta/tree` and a checkpoint signed over the new
   * root go into the same batch. Nothing is published until `committed`.
   */
  async extend(appends: readonly Append[]): Promise<StoreOp[]> {
    if (this.#pending !== undefined) throw new RegistryError('Internal', 'a log batch is already pending');
    const rows = (await this.#loadRows()).rows.map((r) => [...r]);
    let edge = this.#edge;
    const tiles: Array<[string, Uint8Array]> = [];
    for (const a of appends) {
      if (a.log.seq !== edge.size + 1) {
        throw new RegistryError('Internal', `log seq ${a.log.seq} is not leaf ${edge.size} + 1`);
      }
      const next = appendLeaf(edge, leafHashOf(a.log, a.bytes));
      edge = next.edge;
      for (const s of next.stored) {
        if (s.level % TILE_HEIGHT !== 0) continue;
        const level = s.level / TILE_HEIGHT;
        const row = rows[level] ?? [];
        rows[level] = row;
        row.push(s.hash);
        if (row.length === TILE_WIDTH) {
          tiles.push([tileKey(level, Math.floor(s.index / TILE_WIDTH)), concatBytes(...row)]);
          rows[level] = [];
        }
      }
    }
    const checkpoint = await this.#sign(edge, appends[0]?.log.seq === 1 ? appends[0].log.digest : undefined);
    this.#pending = { edge, rows, checkpoint, tiles };
    const ops: StoreOp[] = tiles.map(([key, value]) => ({ type: 'put', key, value }));
    ops.push({ type: 'put', key: KEY.tree, value: encodeEdge(edge) });
    ops.push({ type: 'put', key: KEY.logCheckpoint, value: this.#encodeCheckpoints(checkpoint) });
    return ops;
  }

  /** The batch `extend` prepared is on disk: its checkpoint may now be served. */
  committed(): void {
    const p = this.#pending;
    if (p === undefined) return;
    this.#pending = undefined;
    this.#edge = p.edge;
    this.#rows = p.rows;
    for (const [key, bytes] of p.tiles) this.tiles.remember(key, bytes);
    this.#latest = p.checkpoint;
    this.onCheckpoint?.(p.checkpoint);
  }

  /** SPEC §13: a checkpoint whose batch failed is discarded, never served. */
  failed(): void {
    this.#pending = undefined;
  }

  /** A cosignature a witness returned for `cp`; stored (with the witnessed one) and served. */
  async cosigned(cp: SignedCheckpoint): Promise<void> {
    if (cp.cosignatures.length >= this.quorum && this.quorum > 0) {
      if (this.#witnessed === undefined || this.#witnessed.size <= cp.size) this.#witnessed = cp;
    }
    const latest = this.#latest;
    if (latest === undefined) return;
    await this.#store.putLogValues([
      { type: 'put', key: KEY.logCheckpoint, value: this.#encodeCheckpoints(latest) },
    ]);
  }

  /** RFC 9162 §2.1.3.1 inclusion proof of seq's leaf in the tree of `size` (≤ the durable size). */
  async inclusion(seq: number, size: number): Promise<{ leafHash: Uint8Array; hashes: Uint8Array[] }> {
    this.#assertSize(size);
    if (!Number.isSafeInteger(seq) || seq < 1 || seq > size) {
      throw new RegistryError('BadRequest', `seq ${seq} is not in 1..${size}`);
    }
    const [leaf] = await leavesOf(this.#store, seq - 1, seq);
    if (leaf === undefined) throw new RegistryError('StoreUnavailable', `log entry ${seq} is missing`);
    const view = await this.view();
    const hashes = await this.tiles.withReader(view.size, view.rows, (read) =>
      inclusionProof(seq - 1, size, read),
    );
    return { leafHash: leafHash(leaf), hashes };
  }

  /** RFC 9162 §2.1.4.1 consistency proof between two sizes (≤ the durable size). */
  async consistency(from: number, to: number): Promise<Uint8Array[]> {
    this.#assertSize(to);
    if (!Number.isSafeInteger(from) || from < 1 || from > to) {
      throw new RegistryError('BadRequest', `from ${from} is not in 1..${to}`);
    }
    const view = await this.view();
    return this.tiles.withReader(view.size, view.rows, (read) => consistencyProof(from, to, read));
  }

  /** The root of an earlier size (tests, audit). */
  async rootAt(size: number): Promise<Uint8Array> {
    this.#assertSize(size);
    const view = await this.view();
    return this.tiles.withReader(view.size, view.rows, (read) => treeRoot(size, read));
  }

  /**
   * Rebuilds the partial tiles in the background (at 100k entries: ≤ 255 leaves and 134 full
   * tiles, ~10-200 ms here) so the first apply or proof after a start does not wait for it.
   */
  warm(): void {
    this.#loadRows().catch(() => undefined); // a failure surfaces at the next extend or proof
  }

  /**
   * The durable tree size with its partial tiles, taken together: a commit between two awaits
   * cannot pair one size with another size's rows (the row arrays are never mutated).
   */
  view(): Promise<TreeView> {
    return this.#loadRows();
  }

  #assertSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 1 || size > this.#edge.size) {
      throw new RegistryError('BadRequest', `size ${size} is not in 1..${this.#edge.size}`);
    }
  }

  #sign(edge: TreeEdge, genesisDigest: string | undefined): Promise<SignedCheckpoint> {
    const signer = this.#signerFor(genesisDigest);
    const cp = { origin: signer.name, size: edge.size, rootHash: edgeRoot(edge), extensions: [] };
    return SignedCheckpoint.signAsync(cp, signer, this.#now());
  }

  #signerFor(genesisDigest: string | undefined): AsyncNoteSigner {
    if (this.#signer !== undefined) return this.#signer;
    const origin =
      this.#configuredOrigin ?? (genesisDigest === undefined ? undefined : defaultOrigin(genesisDigest));
    if (origin === undefined) throw new RegistryError('Internal', 'log origin unknown before the genesis');
    this.#signer = asyncSigner(origin, this.#key);
    return this.#signer;
  }

  #encodeCheckpoints(signed: SignedCheckpoint): Uint8Array {
    const w = this.#witnessed;
    const value: StoredCheckpoints = {
      signed: signed.note(),
      signed_at: signed.signedAt,
      witnessed: w === undefined ? null : w.note(),
      witnessed_at: w === undefined ? null : w.signedAt,
    };
    return bytesOf(JSON.stringify(value));
  }

  async #loadRows(): Promise<TreeView> {
    if (this.#rows !== undefined) return { size: this.#edge.size, rows: this.#rows };
    const size = this.#edge.size;
    this.#rowsLoading ??= loadRows(this.#store, size);
    const rows = await this.#rowsLoading;
    this.#rowsLoading = undefined;
    if (this.#rows === undefined && this.#edge.size === size) this.#rows = rows;
    return this.#rows === undefined ? { size, rows } : { size: this.#edge.size, rows: this.#rows };
  }

  async #restore(): Promise<void> {
    const version = await this.#store.version();
    const tree = await this.#store.logValue(KEY.tree);
    this.#edge = tree === undefined ? EMPTY_EDGE : parseEdge(tree);
    if (this.#edge.size > version) {
      throw new RegistryError(
        'StoreUnavailable',
        `meta/tree covers ${this.#edge.size} entries but meta/version is ${version}: refusing to start`,
      );
    }
    if (version > 0) {
      const [first] = await this.#store.log(0, 1);
      this.#signerFor(first?.digest);
    }
    const raw = await this.#store.logValue(KEY.logCheckpoint);
    if (raw !== undefined && this.#edge.size > 0) this.#restoreCheckpoints(raw);
    if (this.#edge.size < version) await this.#build(version);
    else if (this.#edge.size > 0 && !this.#latestMatches()) await this.#resign();
  }

  #restoreCheckpoints(raw: Uint8Array): void {
    const stored = JSON.parse(td.decode(raw)) as StoredCheckpoints;
    this.#latest = SignedCheckpoint.parse(stored.signed, stored.signed_at);
    if (stored.witnessed !== null) {
      this.#witnessed = SignedCheckpoint.parse(stored.witnessed, stored.witnessed_at ?? 0);
    }
  }

  /** The stored checkpoint is of this edge, under this origin and key (LOG_KEY or LOG_ORIGIN may have changed). */
  #latestMatches(): boolean {
    const cp = this.#latest;
    const signer = this.#signer;
    if (cp === undefined || signer === undefined) return false;
    return (
      cp.size === this.#edge.size &&
      hashEquals(cp.checkpoint.rootHash, edgeRoot(this.#edge)) &&
      cp.checkpoint.origin === signer.name &&
      cp.logSignature.keyId === signer.keyId
    );
  }

  /** Signs the restored tree again (same size, same root: never a second root for a size). */
  async #resign(): Promise<void> {
    const cp = await this.#sign(this.#edge, undefined);
    if (this.#witnessed !== undefined && this.#witnessed.checkpoint.origin !== cp.checkpoint.origin) {
      this.#witnessed = undefined;
    }
    await this.#store.putLogValues([
      { type: 'put', key: KEY.logCheckpoint, value: this.#encodeCheckpoints(cp) },
    ]);
    this.#latest = cp;
  }

  /** Hashes the leaves the tree lacks (a store from before the log) and writes them in one synced batch. */
  async #build(version: number): Promise<void> {
    const started = performance.now();
    const from = this.#edge.size;
    const CHUNK = 2048;
    const ops: StoreOp[] = [];
    for (let at = from; at < version; at += CHUNK) {
      const to = Math.min(version, at + CHUNK);
      const entries = await this.#store.log(at, to - at);
      const bytes = await this.#store.descriptors(entries.map((e) => [e.descriptor_id, e.version] as const));
      const appends: Append[] = entries.map((log, i) => {
        const b = bytes[i];
        if (b === undefined)
          throw new RegistryError('StoreUnavailable', `desc ${log.descriptor_id} v${log.version} is missing`);
        return { log, bytes: b, proposalId: null, regions: null };
      });
      const batch = await this.extend(appends);
      // Only the last batch's meta/ values matter; tiles accumulate.
      ops.splice(0, ops.length, ...ops.filter((o) => o.key.startsWith('tile/')), ...batch);
      this.committed();
    }
    await this.#store.putLogValues(ops);
    this.restored = { built: version - from, ms: Math.round(performance.now() - started) };
  }
}

/**
 * An Ed25519 note signer (signed-note, key name = origin) on node:crypto's asynchronous sign,
 * which runs on the thread pool: RFC 8032 signatures are deterministic, so the bytes are the
 * ones core's `noteSigner` makes (a test holds them equal).
 */
export function asyncSigner(name: string, key: SigningKey): AsyncNoteSigner {
  if (!isValidKeyName(name))
    throw new RegistryError('BadRequest', `invalid note key name ${JSON.stringify(name)}`);
  const object = createPrivateKey({
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      d: Buffer.from(key.secretKey).toString('base64url'),
      x: Buffer.from(key.publicKey).toString('base64url'),
    },
    format: 'jwk',
  });
  return {
    name,
    keyId: computeKeyId(name, SIG_TYPE_ED25519, key.publicKey),
    sign: (text) =>
      new Promise((resolve, reject) => {
        nodeSign(null, text, object, (err, sig) =>
          err === null ? resolve(new Uint8Array(sig)) : reject(err),
        );
      }),
  };
}

/** SPEC §8 LOG_ORIGIN default. */
export function defaultOrigin(genesisDigest: string): string {
  return `localhost/registry/${genesisDigest.slice(0, 16)}`;
}
