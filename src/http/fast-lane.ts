import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppDeps } from './app.types.js';
import { notModified } from './read-routes.js';
import { requestIdFor } from './request-id.js';
import { BASE } from './routes.js';

const PREFIX = `${BASE}/descriptors/`;
const ROUTE = `${BASE}/descriptors/:id`;

/**
 * SPEC §10: head reads must run at ≥ 0.85× a bare node:http server, which hono's
 * Request/Response adaptation alone does not allow. This lane answers exactly the
 * cacheable head GET from the snapshot's pre-serialized bytes, with the same headers,
 * metrics and logs as the hono route (a test compares the two byte for byte), and hands
 * everything else (other routes, READ_AUTH, unknown ids, odd URLs) to hono.
 */
export function headFastLane(deps: AppDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  return function fastLane(req, res) {
    if (deps.readAuth || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const url = req.url;
    if (url === undefined || !url.startsWith(PREFIX)) return false;
    const raw = url.slice(PREFIX.length);
    if (raw.length === 0 || raw.includes('/') || raw.includes('?') || raw.includes('%')) return false;
    const { state } = deps;
    const registry = state.registry;
    if (registry === undefined || state.shuttingDown) return false;
    const entry = registry.snapshot.get(raw);
    if (entry === undefined) return false;

    const started = performance.now();
    const header = req.headers['x-request-id'];
    const requestId = requestIdFor(typeof header === 'string' ? header : undefined);
    const inm = req.headers['if-none-match'];
    const status = notModified(inm, entry.etag) ? 304 : 200;
    res.writeHead(
      status,
      status === 200
        ? {
            etag: entry.etag,
            'x-registry-version': String(registry.version),
            'content-type': 'application/json; charset=utf-8',
            'content-length': entry.bytes.length,
            'x-request-id': requestId,
          }
        : {
            etag: entry.etag,
            'x-registry-version': String(registry.version),
            'content-type': 'application/json; charset=utf-8',
            'x-request-id': requestId,
          },
    );
    res.end(status === 200 && req.method === 'GET' ? entry.bytes : undefined);
    const seconds = (performance.now() - started) / 1000;
    deps.metrics.observeRequest(ROUTE, req.method, status, seconds);
    if (deps.logger.isLevelEnabled('debug')) {
      deps.logger.debug({
        request_id: requestId,
        method: req.method,
        route: ROUTE,
        status,
        latency_ms: Math.round(seconds * 1e6) / 1e3,
      });
    }
    return true;
  };
}
