import type { Hono } from 'hono';
import { RegistryError } from '../core/index.js';
import type { AppDeps, AppEnv } from './app.types.js';
import { envelopeOf } from './envelope.js';
import { openApiDocument } from './openapi.js';
import { json } from './respond.js';
import { BASE } from './routes.js';
import type { ServiceMode } from './service-state.js';

/** What a mode adds to /readyz: its fields, whether writes are degraded, why it is not ready. */
function modeReadiness(mode: ServiceMode): { fields: object; degraded: boolean; waiting: string } {
  switch (mode.kind) {
    case 'standalone':
      return { fields: {}, degraded: false, waiting: 'snapshot not loaded yet' };
    case 'mirror': {
      // SPEC §11: the upstream's state and how far behind it is.
      const r = mode.report?.();
      const fields =
        r === undefined
          ? {}
          : {
              upstream: r.upstream,
              lag: { seqs: r.lagSeqs, seconds: Math.round(r.lagSeconds * 1000) / 1000 },
              ...(r.refusedSeq === undefined ? {} : { refused_seq: r.refusedSeq }),
            };
      const waiting =
        mode.report === undefined
          ? 'snapshot not loaded yet'
          : `mirror has not caught up with ${mode.upstream} yet`;
      return { fields, degraded: false, waiting };
    }
    case 'cluster': {
      // The NATS connection, the view's place in the stream and its lag behind it, refusals, lost races.
      const r = mode.report?.();
      const fields =
        r === undefined
          ? {}
          : {
              cluster: {
                nats: r.nats,
                stream_seq: r.streamSeq,
                lag: { seqs: r.lagSeqs },
                refused: r.refused,
                races: r.races,
              },
            };
      return {
        fields,
        degraded: r !== undefined && r.nats !== 'connected',
        waiting: 'snapshot not loaded yet',
      };
    }
    default: {
      const never: never = mode;
      throw new Error(`unknown mode ${String(never)}`);
    }
  }
}

export function healthRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  for (const prefix of ['', BASE]) {
    app.get(`${prefix}/healthz`, (c) => json(c, { status: 'ok' }));

    app.get(`${prefix}/readyz`, (c) => {
      const { state } = deps;
      const r = state.registry;
      const mode = modeReadiness(state.mode);
      const degraded = r?.writesDegraded === true || mode.degraded;
      const body = {
        ready: state.ready,
        store: r === undefined ? 'loading' : 'ok',
        bus: r === undefined ? 'loading' : 'ok',
        writes: degraded ? 'degraded' : state.mode.kind === 'mirror' ? 'read-only' : 'ok',
        version: r?.version ?? 0,
        ...mode.fields,
      };
      if (state.ready) return json(c, body);
      // SPEC §5: 503 with ready:false, and the envelope every non-2xx carries.
      const err = new RegistryError('StoreUnavailable', state.shuttingDown ? 'shutting down' : mode.waiting);
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
