import type { Context, Hono } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { RegistryError } from '../../core/index.js';
import type { Registry } from '../../registry/index.js';
import type { AppDeps, AppEnv } from '../app.types.js';
import { toRegistryError } from '../envelope.js';
import { assertUnscopedRead, authenticate, engine } from '../guard.js';
import { FAVICON_SVG, LIVE_JS, SECURITY_HEADERS, STYLE_CSS } from './assets.js';
import { DescriptorPage } from './descriptor.js';
import { DescriptorsPage, parseFilters } from './descriptors.js';
import { ErrorPage, UI } from './layout.js';
import { LivePage } from './live.js';
import { LogPage } from './log-page.js';
import { OverviewPage } from './overview.js';
import { ProposalsPage } from './proposals.js';
import { RegionsPage } from './regions.js';
import { SchemaPage } from './schema.js';

type Render = (c: Context<AppEnv>, r: Registry) => JSX.Element | Promise<JSX.Element>;

/**
 * An HTML page behind the API's read auth. Errors keep the API's status and SPEC code but
 * answer an HTML page: the console is read by people in a browser, not by clients.
 */
function page(deps: AppDeps, render: Render) {
  return async function consolePage(c: Context<AppEnv>): Promise<Response> {
    try {
      authenticate(c, deps, 'registry:read');
      // A JSX node renders to a string, or a promise of one when a component is async.
      const html: string = await (await render(c, engine(deps))).toString();
      return c.html(`<!doctype html>${html}`, 200, SECURITY_HEADERS);
    } catch (thrown) {
      return errorPage(c, thrown, deps);
    }
  };
}

function errorPage(c: Context<AppEnv>, thrown: unknown, deps: AppDeps): Response {
  const err = toRegistryError(thrown);
  c.set('errorCode', err.code);
  if (!(thrown instanceof RegistryError)) {
    deps.logger.error({ err: thrown, request_id: c.get('requestId') }, 'unhandled console error');
  }
  const html = (
    <ErrorPage
      status={err.status}
      code={err.code}
      message={err.message}
      hint={err.hint}
      requestId={c.get('requestId')}
    />
  );
  return c.html(`<!doctype html>${html}`, err.status as 400, SECURITY_HEADERS);
}

/**
 * The read-only console (issue 10) at /ui. Not part of the API: these routes are not in
 * ROUTES or the OpenAPI document. Every page reads the engine's in-memory snapshot; only a
 * descriptor's history and diff read that id's stored versions.
 */
export function consoleRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  // Static text with no registry data: served without auth so the error pages are styled too.
  app.get(`${UI}/style.css`, (c) =>
    c.body(STYLE_CSS, 200, { ...SECURITY_HEADERS, 'content-type': 'text/css; charset=utf-8' }),
  );
  app.get(`${UI}/favicon.svg`, (c) =>
    c.body(FAVICON_SVG, 200, { ...SECURITY_HEADERS, 'content-type': 'image/svg+xml' }),
  );
  app.get(`${UI}/live.js`, (c) =>
    c.body(LIVE_JS, 200, { ...SECURITY_HEADERS, 'content-type': 'text/javascript; charset=utf-8' }),
  );

  app.get(
    UI,
    page(deps, (_c, r) => <OverviewPage deps={deps} r={r} />),
  );
  app.get(
    `${UI}/descriptors`,
    page(deps, (c, r) => <DescriptorsPage r={r} filters={parseFilters((n) => c.req.query(n))} />),
  );
  app.get(
    `${UI}/descriptors/:id`,
    page(deps, (c, r) => <DescriptorPage r={r} id={c.req.param('id') ?? ''} query={(n) => c.req.query(n)} />),
  );
  app.get(
    `${UI}/schemas/:id`,
    page(deps, (c, r) => <SchemaPage r={r} id={c.req.param('id') ?? ''} />),
  );
  app.get(
    `${UI}/proposals`,
    page(deps, (_c, r) => <ProposalsPage r={r} now={deps.now()} />),
  );
  app.get(
    `${UI}/regions`,
    page(deps, (_c, r) => <RegionsPage r={r} />),
  );
  app.get(
    `${UI}/log`,
    page(deps, (c, r) => {
      // SPEC §7: the log holds every entry, so a scoped read token does not see it.
      assertUnscopedRead(authenticate(c, deps, 'registry:read'));
      return <LogPage r={r} now={deps.now()} />;
    }),
  );
  app.get(
    `${UI}/live`,
    page(deps, (_c, r) => <LivePage r={r} />),
  );
}
