import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import {
  badRequest,
  COMPATIBILITY_MODES,
  COMPATIBILITY_POLICIES,
  type CompatibilityMode,
  type CompatibilityPolicy,
  modeOf,
  parseJsonText,
  parseSchemaBody,
  publishedKindSchemas,
  RegistryError,
} from '../core/index.js';
import {
  type Against,
  type CompatVerdict,
  checkAgainst,
  docOf,
  type Registry,
  type SchemaVersion,
  versionsAgainst,
} from '../registry/index.js';
import type { AppDeps, AppEnv } from './app.types.js';
import { assertReadable, authenticate, engine } from './guard.js';
import { parseVersion } from './read-routes.js';
import { json } from './respond.js';
import { BASE } from './routes.js';

function optionalVersion(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    return parseVersion(raw);
  } catch {
    throw badRequest(name, 'must be a positive integer');
  }
}

function parseMode(raw: string | undefined): CompatibilityMode | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!COMPATIBILITY_MODES.includes(raw as CompatibilityMode)) {
    throw badRequest('mode', `must be one of ${COMPATIBILITY_MODES.join(', ')}`);
  }
  return raw as CompatibilityMode;
}

function parsePolicy(raw: string | undefined): CompatibilityPolicy | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!COMPATIBILITY_POLICIES.includes(raw as CompatibilityPolicy)) {
    throw badRequest('policy', `must be one of ${COMPATIBILITY_POLICIES.join(', ')}`);
  }
  return raw as CompatibilityPolicy;
}

function parseAgainst(raw: string | undefined): Against | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'latest' || raw === 'all') return raw;
  const n = optionalVersion(raw, 'against');
  if (n === undefined) throw badRequest('against', 'must be latest, all or a version number');
  return n;
}

/** SPEC §12 routes: validate a value, check a candidate or two versions, and `GET /kinds`. */
export function schemaRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const limit = bodyLimit({
    maxSize: deps.maxBodyBytes,
    onError: () => {
      throw new RegistryError('PayloadTooLarge', `request body over ${deps.maxBodyBytes} bytes`);
    },
  });
  // Built once: the JSON Schemas are constants of the build (SPEC §2 "from the same source").
  const kinds = JSON.stringify({ kinds: publishedKindSchemas() });

  /** The schema `:id` at `version` (default the head), if this token may read it (SPEC §7). */
  const schemaOf = async (c: Context<AppEnv>, version: number | undefined) => {
    const cap = authenticate(c, deps, 'registry:read');
    const r = engine(deps);
    const id = c.req.param('id') ?? '';
    assertReadable(cap, id, 'schema');
    return { r, id, v: await r.schemas.version(id, version) };
  };

  app.get(`${BASE}/kinds`, (c) => {
    authenticate(c, deps, 'registry:read');
    return c.body(kinds, 200, { 'content-type': 'application/json; charset=utf-8' });
  });

  app.post(`${BASE}/schemas/:id/validate`, limit, async (c) => {
    const { r, id, v } = await schemaOf(c, optionalVersion(c.req.query('version'), 'version'));
    const validator = await r.schemas.validator(v);
    const value = parseJsonText(await c.req.text());
    const report = validator.validate(value);
    deps.metrics.schemaValidation(report.valid);
    return json(c, {
      valid: report.valid,
      id,
      version: v.entry.version,
      digest: v.entry.digest,
      errors: report.errors,
    });
  });

  const verdict = async (
    r: Registry,
    newer: Parameters<typeof checkAgainst>[2],
    olders: readonly SchemaVersion[],
    mode: CompatibilityMode,
    policy: CompatibilityPolicy,
  ): Promise<CompatVerdict> => {
    const out = await checkAgainst(r.schemas, r.schemas.checker, newer, olders, mode, policy);
    deps.metrics.compatibilityCheck(out.compatible);
    return out;
  };

  app.post(`${BASE}/schemas/:id/compatibility`, limit, async (c) => {
    const against = parseAgainst(c.req.query('against'));
    const modeQ = parseMode(c.req.query('mode'));
    const policyQ = parsePolicy(c.req.query('policy'));
    const { r, id, v: head } = await schemaOf(c, undefined);
    const body = parseSchemaBody(parseJsonText(await c.req.text()), '');
    const compiled = await r.schemas.compileCandidate(body, '');
    // SPEC §12: unstated mode and policy are the mode in force, the head's.
    const inForce = modeOf(head.body);
    const mode = modeQ ?? inForce.mode;
    const policy = policyQ ?? inForce.policy;
    const versions = versionsAgainst(against, mode, head.entry.version);
    const olders = await Promise.all(versions.map((n) => r.schemas.version(id, n)));
    const newer = await docOf(r.schemas, body, compiled.dialect);
    return json(c, await verdict(r, newer, olders, mode, policy));
  });

  app.get(`${BASE}/schemas/:id/compatibility/:from/:to`, async (c) => {
    const from = optionalVersion(c.req.param('from'), 'from') as number;
    const to = optionalVersion(c.req.param('to'), 'to') as number;
    // SPEC §12: the two-version route defaults to BACKWARD, strict.
    const mode = parseMode(c.req.query('mode')) ?? 'BACKWARD';
    const policy = parsePolicy(c.req.query('policy')) ?? 'strict';
    const { r, id, v: older } = await schemaOf(c, from);
    const newer = await r.schemas.version(id, to);
    const doc = await docOf(r.schemas, newer.body, (await r.schemas.validator(newer)).dialect);
    return json(c, await verdict(r, doc, [older], mode, policy));
  });
}
