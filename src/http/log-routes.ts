import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { RegistryError } from '../core/index.js';
import {
  concatBytes,
  encodeBase64,
  encodeBundle,
  formatTlogProof,
  MAX_ADD_CHECKPOINT_BYTES,
  parseTilePath,
  TILE_WIDTH,
} from '../core/tlog/index.js';
import type { Registry } from '../registry/index.js';
import { hashesAt, leavesOf } from '../registry/log/tile-source.js';
import type { AppDeps, AppEnv } from './app.types.js';
import { assertUnscopedRead, authenticate, engine } from './guard.js';
import { json } from './respond.js';
import { BASE } from './routes.js';

const TEXT = 'text/plain; charset=utf-8';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const TILE_PREFIX = `${BASE}/log/`;

/** A decimal query parameter (SPEC §13: missing or non-numeric → BadRequest). */
function param(c: Context<AppEnv>, name: string): number {
  const raw = c.req.query(name);
  if (raw === undefined || !/^[0-9]{1,16}$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new RegistryError('BadRequest', `${name} must be a decimal integer`, `e.g. ?${name}=1`);
  }
  return Number(raw);
}

const optionalParam = (c: Context<AppEnv>, name: string, dflt: number): number =>
  c.req.query(name) === undefined ? dflt : param(c, name);

/** The served checkpoint (SPEC §13); a mirror that has ingested nothing has none yet. */
function served(r: Registry) {
  const cp = r.log.served;
  if (cp === undefined) throw new RegistryError('StoreUnavailable', 'no checkpoint yet', 'retry shortly');
  return cp;
}

/**
 * SPEC §13 serving (c2sp.org/tlog-tiles, tlog-checkpoint, tlog-proof) under `/log/`. SPEC §7:
 * with READ_AUTH=true a read token without id-prefix or kind caveats, since the log holds
 * every entry.
 */
export function logRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const begin = (c: Context<AppEnv>): Registry => {
    const r = engine(deps);
    assertUnscopedRead(authenticate(c, deps, 'registry:read'));
    return r;
  };

  app.get(`${BASE}/log/checkpoint`, (c) => {
    const r = begin(c);
    return c.body(served(r).note(), 200, { 'content-type': TEXT, 'cache-control': 'no-cache' });
  });

  app.get(`${BASE}/log/tile/*`, async (c) => {
    const r = begin(c);
    // Attacker-controlled path: parseTilePath bounds and checks it strictly.
    const t = parseTilePath(c.req.path.slice(TILE_PREFIX.length));
    const view = await r.log.view();
    const size = view.size;
    const headers = (width: number) => ({
      'content-type': 'application/octet-stream',
      'cache-control': width === TILE_WIDTH ? IMMUTABLE : 'no-cache',
    });
    if (t.kind === 'entries') {
      const start = t.index * TILE_WIDTH;
      if (start + t.width > size) throw tileNotFound(c.req.path, size);
      const leaves = await leavesOf(r.store, start, start + t.width);
      return c.body(owned(encodeBundle(leaves)), 200, headers(t.width));
    }
    const { level, index, width } = t.tile;
    const count = hashesAt(size, level);
    if (index * TILE_WIDTH + width > count) throw tileNotFound(c.req.path, size);
    const full = Math.floor(count / TILE_WIDTH);
    const bytes =
      index < full
        ? (await r.log.tiles.fullTile(level, index)).subarray(0, width * 32)
        : concatBytes(...(view.rows[level] ?? []).slice(0, width));
    return c.body(owned(bytes), 200, headers(width));
  });

  app.get(`${BASE}/log/proof/inclusion`, async (c) => {
    const r = begin(c);
    const seq = param(c, 'seq');
    const text = (c.req.header('accept') ?? '').includes('text/plain');
    const cp = served(r);
    const size = optionalParam(c, 'size', cp.size);
    const proof = await r.log.inclusion(seq, size);
    if (text) {
      // SPEC §13: the text form carries the served signed checkpoint, so only its size has one.
      if (size !== cp.size) {
        throw new RegistryError(
          'BadRequest',
          `the tlog-proof text form exists for the served checkpoint's size ${cp.size} only`,
          'omit size, or ask for JSON',
        );
      }
      const body = formatTlogProof({ index: seq - 1, proof: proof.hashes, checkpoint: cp.note() });
      return c.body(body, 200, { 'content-type': TEXT, 'cache-control': 'no-cache' });
    }
    return json(c, {
      seq,
      size,
      leaf_hash: encodeBase64(proof.leafHash),
      hashes: proof.hashes.map(encodeBase64),
    });
  });

  app.get(`${BASE}/log/proof/consistency`, async (c) => {
    const r = begin(c);
    const from = param(c, 'from');
    const to = param(c, 'to');
    const hashes = await r.log.consistency(from, to);
    return json(c, { from, to, hashes: hashes.map(encodeBase64) });
  });

  // SPEC §13 witness (c2sp.org/tlog-witness): no token (the request is signed), plain-text answers.
  const witnessLimit = bodyLimit({
    maxSize: MAX_ADD_CHECKPOINT_BYTES,
    onError: () => {
      throw new RegistryError(
        'PayloadTooLarge',
        `add-checkpoint body over ${MAX_ADD_CHECKPOINT_BYTES} bytes`,
      );
    },
  });
  app.post(`${BASE}/log/witness/add-checkpoint`, witnessLimit, async (c) => {
    const witness = deps.state.witness;
    if (witness === undefined) {
      throw new RegistryError(
        'NotFound',
        'this registry is not a witness',
        'run it with WITNESS_KEY and WITNESS_LOGS',
      );
    }
    engine(deps);
    const answer = await witness.addCheckpoint(new Uint8Array(await c.req.arrayBuffer()));
    return c.body(answer.body, answer.status, { 'content-type': answer.contentType });
  });
}

/** A copy on a plain ArrayBuffer (what a Response body takes; tiles are at most 8 KiB). */
const owned = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

function tileNotFound(path: string, size: number): RegistryError {
  return new RegistryError(
    'NotFound',
    `${path.slice(TILE_PREFIX.length)} is not in the tree of size ${size}`,
  );
}
