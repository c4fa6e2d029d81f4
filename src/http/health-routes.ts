import type { Hono } from 'hono';
import { RegistryError } from '../core/index.js';
import type { AppDeps, AppEnv } from './app.types.js';
import { envelopeOf } from './envelope.js';
import { openApiDocument } from './openapi.js';
import { json } from './respond.js';
import { BASE } from './routes.js';

export function healthRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  for (const prefix of ['', BASE]) {
    app.get(`${prefix}/healthz`, (c) => json(c, { status: 'ok' }));

    app.get(`${prefix}/readyz`, (c) => {
      const { state } = deps;
      const r = state.registry;
      const body = {
        ready: state.ready,
        store: r === undefined ? 'loading' : 'ok',
        bus: r === undefined ? 'loading' : 'ok',
        writes: r?.writesDegraded === true ? 'degraded' : state.mirrorOf === undefined ? 'ok' : 'read-only',
        version: r?.version ?? 0,
      };
      if (state.ready) return json(c, body);
      // SPEC §5: 503 with ready:false, and the envelope every non-2xx carries.
      const err = new RegistryError(
        'StoreUnavailable',
        state.shuttingDown ? 'shutting down' : 'snapshot not loaded yet',
      );
      c.set('errorCode', err.code);
      return c.body(JSON.stringify({ ...body, ...envelopeOf(err, c.get('requestId'), deps.now()) }), 503, {
        'content-type': 'application/json; charset=utf-8',
      });
    });

    app.get(`${prefix}/metrics`, async (c) =>
      c.body(await deps.metrics.text(), 200, { 'content-type': deps.metrics.contentType }),
    );
  }

  app.get(`${BASE}/openapi.json`, (c) => json(c, openApiDocument(deps.version)));
}
