import type { Hono } from 'hono';
import { RegistryError } from '../core/index.js';
import type { AppDeps, AppEnv } from './app.types.js';
import { envelopeOf } from './envelope.js';
import { openApiDocument } from './openapi.js';
import { json } from './respond.js';
import { BASE } from './routes.js';
import type { ClusterReport, UpstreamReport } from './service-state.js';

/** SPEC §11 /readyz fields of a mirror: the upstream's state and how far behind it is. */
function upstreamFields(r: UpstreamReport | undefined): object {
  if (r === undefined) return {};
  return {
    upstream: r.upstream,
    lag: { seqs: r.lagSeqs, seconds: Math.round(r.lagSeconds * 1000) / 1000 },
    ...(r.refusedSeq === undefined ? {} : { refused_seq: r.refusedSeq }),
  };
}

/** Cluster mode /readyz fields: the NATS connection, the view's lag behind the stream, refusals. */
function clusterFields(r: ClusterReport | undefined): object {
  if (r === undefined) return {};
  return { cluster: { nats: r.nats, lag: { seqs: r.lagSeqs }, refused: r.refused } };
}

export function healthRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  for (const prefix of ['', BASE]) {
    app.get(`${prefix}/healthz`, (c) => json(c, { status: 'ok' }));

    app.get(`${prefix}/readyz`, (c) => {
      const { state } = deps;
      const r = state.registry;
      const cluster = state.cluster?.report();
      const degraded = r?.writesDegraded === true || (cluster !== undefined && cluster.nats !== 'connected');
      const body = {
        ready: state.ready,
        store: r === undefined ? 'loading' : 'ok',
        bus: r === undefined ? 'loading' : 'ok',
        writes: degraded ? 'degraded' : state.mirrorOf === undefined ? 'ok' : 'read-only',
        version: r?.version ?? 0,
        ...upstreamFields(state.mirror?.report()),
        ...clusterFields(cluster),
      };
      if (state.ready) return json(c, body);
      // SPEC §5: 503 with ready:false, and the envelope every non-2xx carries.
      const err = new RegistryError(
        'StoreUnavailable',
        state.shuttingDown
          ? 'shutting down'
          : state.mirror === undefined
            ? 'snapshot not loaded yet'
            : `mirror has not caught up with ${state.mirrorOf ?? 'its upstream'} yet`,
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
