import { Hono } from 'hono';
import { routePath } from 'hono/route';
import { RegistryError } from '../core/index.js';
import type { AppDeps, AppEnv } from './app.types.js';
import { consoleRoutes } from './console/console-routes.js';
import { healthRoutes } from './health-routes.js';
import { logRoutes } from './log-routes.js';
import { verifyJwt } from './oidc/jwt-middleware.js';
import { proposalRoutes } from './proposal-routes.js';
import { readRoutes } from './read-routes.js';
import { requestIdFor } from './request-id.js';
import { errorResponse } from './respond.js';
import { BASE, ROUTES, UNMATCHED } from './routes.js';
import { schemaRoutes } from './schema-routes.js';
import { watchRoute } from './watch-route.js';
import { writeRoutes } from './write-routes.js';

const TEMPLATES = new Set(ROUTES.map((r) => r.path));
const MATCHERS = ROUTES.map((r) => ({
  method: r.method,
  re: new RegExp(`^${r.path.replace(/:[a-z_]+/g, '[^/]+').replace(/\*$/, '.+')}$`),
}));

/** SPEC §5 405: the methods the path is served with, or none when the path is unknown. */
export function allowedMethods(path: string): string[] {
  const out = new Set<string>();
  for (const m of MATCHERS) if (m.re.test(path)) out.add(m.method);
  if (out.has('GET')) out.add('HEAD');
  return [...out].sort();
}

/**
 * The registry's HTTP API on hono (SPEC §5). Every response carries X-Request-Id; every
 * non-2xx is the SPEC envelope, framework errors and unknown routes included.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(async function observe(c, next) {
    const started = performance.now();
    const requestId = requestIdFor(c.req.header('x-request-id'));
    c.set('requestId', requestId);
    c.set('tokenName', undefined);
    c.set('errorCode', undefined);
    c.set('jwt', undefined);
    await next();
    c.res.headers.set('x-request-id', requestId);
    const matched = routePath(c);
    const route = TEMPLATES.has(matched) ? matched : UNMATCHED;
    const seconds = (performance.now() - started) / 1000;
    const status = c.res.status;
    deps.metrics.observeRequest(route, c.req.method, status, seconds);
    const code = c.get('errorCode');
    if (code !== undefined) {
      // registry_update_total counts applies; every other refusal only rejected_total.
      if (route.startsWith(`${BASE}/apply/`)) deps.metrics.rejected(code, code === 'BadSignature');
      else deps.metrics.rejectedRequest(code);
    }
    // Successful reads are debug: gateways poll heads far more often than anyone reads logs.
    const level = status >= 400 || c.req.method !== 'GET' ? 'info' : 'debug';
    if (deps.logger.isLevelEnabled(level)) {
      deps.logger[level]({
        request_id: requestId,
        method: c.req.method,
        route,
        status,
        latency_ms: Math.round(seconds * 1e6) / 1e3,
        token_name: c.get('tokenName'),
      });
    }
  });

  if (deps.oidc !== undefined) app.use(verifyJwt(deps.oidc));

  app.onError((err, c) => errorResponse(c, err, deps));
  app.notFound((c) => {
    const allow = allowedMethods(c.req.path);
    if (allow.length > 0) {
      return errorResponse(
        c,
        new RegistryError(
          'MethodNotAllowed',
          `${c.req.method} is not allowed on ${c.req.path}`,
          `use ${allow.join(', ')}`,
        ),
        deps,
        { allow: allow.join(', ') },
      );
    }
    return errorResponse(
      c,
      new RegistryError(
        'NotFound',
        `no route ${c.req.method} ${c.req.path}`,
        'see /v1/registry/openapi.json',
      ),
      deps,
    );
  });

  healthRoutes(app, deps);
  readRoutes(app, deps);
  proposalRoutes(app, deps);
  writeRoutes(app, deps);
  schemaRoutes(app, deps);
  logRoutes(app, deps);
  watchRoute(app, deps, deps.watchProgressMs);
  consoleRoutes(app, deps);
  return app;
}
