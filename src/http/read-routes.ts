import type { Context, Hono } from 'hono';
import { badRequest, type Kind, RegistryError } from '../core/index.js';
import { ID_RE } from '../core/limits.js';
import type { Entry } from '../registry/index.js';
import type { AppDeps, AppEnv } from './app.types.js';
import { assertReadable, authenticate, canRead, engine, isScoped } from './guard.js';
import { json } from './respond.js';
import { BASE } from './routes.js';

const KINDS = new Set<Kind>(['service', 'node', 'region_map', 'governance']);

/** SPEC §5: `If-None-Match` → 304 when it names the current ETag (or is `*`). */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((t) => {
    const v = t.trim();
    return v === etag || v === `W/${etag}`;
  });
}

/** The exact stored bytes with ETag and X-Registry-Version (SPEC §5). */
export function descriptorResponse(c: Context<AppEnv>, e: Entry, version: number): Response {
  const headers = {
    etag: e.etag,
    'x-registry-version': String(version),
    'content-type': 'application/json; charset=utf-8',
  };
  if (notModified(c.req.header('if-none-match'), e.etag)) return c.body(null, 304, headers);
  return c.body(e.bytes as Uint8Array<ArrayBuffer>, 200, headers);
}

const CURSOR_RE = /^[A-Za-z0-9_-]{1,200}$/;

export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeCursor(raw: string): string {
  const id = CURSOR_RE.test(raw) ? Buffer.from(raw, 'base64url').toString('utf8') : '';
  if (!ID_RE.test(id) || encodeCursor(id) !== raw)
    throw badRequest('cursor', 'not a cursor this registry issued');
  return id;
}

export function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return 100;
  if (!/^[0-9]{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000) {
    throw badRequest('limit', 'must be an integer from 1 to 1000');
  }
  return Number(raw);
}

function parseVersion(raw: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw badRequest('version', 'must be a positive integer');
  }
  return Number(raw);
}

export function readRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const version = (c: Context<AppEnv>) => {
    authenticate(c, deps, 'registry:read');
    return json(c, { version: engine(deps).version });
  };
  app.get(`${BASE}/version`, version);
  app.get('/version', version);

  app.get(`${BASE}/descriptors`, (c) => {
    const cap = authenticate(c, deps, 'registry:read');
    const r = engine(deps);
    const kind = c.req.query('kind');
    if (kind !== undefined && kind !== '' && !KINDS.has(kind as Kind)) {
      throw badRequest('kind', `must be one of ${[...KINDS].join(', ')}`);
    }
    const prefix = c.req.query('prefix');
    const cursor = c.req.query('cursor');
    const limit = parseLimit(c.req.query('limit'));
    const query = {
      limit,
      ...(kind !== undefined && kind !== '' ? { kind: kind as Kind } : {}),
      ...(prefix !== undefined && prefix !== '' ? { prefix } : {}),
    };
    let after = cursor !== undefined && cursor !== '' ? decodeCursor(cursor) : undefined;
    const found: Entry[] = [];
    let more = true;
    // SPEC §7 read scoping: a scoped token's page holds only the ids it may read, so pages
    // are filled from further snapshot pages until full (unscoped tokens take one page).
    while (found.length < limit && more) {
      const page = r.list({
        ...query,
        limit: limit - found.length,
        ...(after === undefined ? {} : { after }),
      });
      found.push(...(isScoped(cap) ? page.items.filter((e) => canRead(cap, e.id, e.kind)) : page.items));
      more = page.more;
      after = page.items.at(-1)?.id ?? after;
    }
    const items = found.map((e) => ({
      id: e.id,
      version: e.version,
      kind: e.kind,
      digest: e.digest,
      deprecated: e.deprecated,
      ts: e.ts,
    }));
    return json(c, { items, next_cursor: more && after !== undefined ? encodeCursor(after) : null });
  });

  /** The head of `:id` if this token may read it (SPEC §7: else 404, as if absent). */
  const readableHead = (c: Context<AppEnv>, cap = authenticate(c, deps, 'registry:read')) => {
    const r = engine(deps);
    const head = r.head(c.req.param('id') ?? '');
    assertReadable(cap, head.id, head.kind);
    return { r, head };
  };

  app.get(`${BASE}/descriptors/:id`, (c) => {
    const { r, head } = readableHead(c);
    return descriptorResponse(c, head, r.version);
  });

  app.get(`${BASE}/descriptors/:id/versions`, async (c) => {
    const { r, head } = readableHead(c);
    return json(c, await r.history(head.id));
  });

  app.get(`${BASE}/descriptors/:id/versions/:n`, async (c) => {
    const cap = authenticate(c, deps, 'registry:read');
    const n = parseVersion(c.req.param('n'));
    const { r, head } = readableHead(c, cap);
    return descriptorResponse(c, await r.at(head.id, n), r.version);
  });

  app.get(`${BASE}/regions/map`, (c) => {
    authenticate(c, deps, 'registry:read');
    const r = engine(deps);
    const view = r.snapshot.regions;
    if (view === undefined) throw new RegistryError('NotFound', 'no region map has been applied yet');
    const headers = {
      etag: view.etag,
      'x-registry-version': String(r.version),
      'content-type': 'application/json; charset=utf-8',
    };
    if (notModified(c.req.header('if-none-match'), view.etag)) return c.body(null, 304, headers);
    return c.body(view.bytes as Uint8Array<ArrayBuffer>, 200, headers);
  });
}
