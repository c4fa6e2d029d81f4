import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { type Payload, parseJsonText, RegistryError } from '../core/index.js';
import { progressOf, type Registry } from '../registry/index.js';
import type { AppDeps, AppEnv } from './app.types.js';
import { authorize } from './capability.js';
import { assertWritable, authenticate, authorizeTarget, canRead, engine } from './guard.js';
import { json } from './respond.js';
import { BASE } from './routes.js';

const PROPOSAL_ID = /^[0-9a-f]{64}$/;

/** The descriptor a proposal concerns, pending or applied; NotFound otherwise. */
async function target(r: Registry, proposalId: string): Promise<Payload> {
  if (!PROPOSAL_ID.test(proposalId)) {
    throw new RegistryError(
      'NotFound',
      `no proposal ${proposalId.slice(0, 80)}`,
      'a proposal_id is 64 lowercase hex',
    );
  }
  return (await r.proposal(proposalId)).descriptor;
}

async function body(c: Context<AppEnv>): Promise<unknown> {
  return parseJsonText(await c.req.text());
}

export function writeRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  // SPEC §5: over MAX_BODY_BYTES → 413 before parsing (Content-Length or the streamed count).
  const limit = bodyLimit({
    maxSize: deps.maxBodyBytes,
    onError: () => {
      throw new RegistryError('PayloadTooLarge', `request body over ${deps.maxBodyBytes} bytes`);
    },
  });
  /** Every write, in order: not a mirror (503), token (401/403), rate (429), ready (503). */
  const beginWrite = (c: Context<AppEnv>, scope: 'registry:propose' | 'registry:apply') => {
    assertWritable(deps);
    const cap = authenticate(c, deps, scope);
    deps.limiter.take(c.get('tokenName') ?? '');
    return { cap, r: engine(deps) };
  };

  /** A write on an existing proposal: its descriptor's id and kind meet the token's caveats. */
  const beginProposalWrite = async (c: Context<AppEnv>, scope: 'registry:propose' | 'registry:apply') => {
    const { cap, r } = beginWrite(c, scope);
    const id = c.req.param('proposal_id') ?? '';
    const p = await target(r, id);
    authorizeTarget(cap, scope, { descriptorId: p.id, kind: p.kind });
    return { r, id };
  };

  app.post(`${BASE}/proposals`, limit, async (c) => {
    const { cap, r } = beginWrite(c, 'registry:propose');
    const raw = await body(c);
    const descriptor = (raw as { descriptor?: { id?: unknown; kind?: unknown } } | null)?.descriptor;
    if (typeof descriptor?.id === 'string' && typeof descriptor.kind === 'string') {
      authorizeTarget(cap, 'registry:propose', { descriptorId: descriptor.id, kind: descriptor.kind });
    }
    // A descriptor without a string id and kind never gets past propose's parser (BadRequest).
    return json(c, await r.propose(raw), 202);
  });

  app.get(`${BASE}/proposals/:proposal_id`, async (c) => {
    const cap = authenticate(c, deps, 'propose-or-apply');
    const r = engine(deps);
    const view = await r.proposal(c.req.param('proposal_id').slice(0, 128));
    // SPEC §7 read scoping: with READ_AUTH=true another tenant's proposal is absent, not forbidden.
    if (deps.readAuth && !canRead(cap, view.descriptor.id, view.descriptor.kind)) {
      throw new RegistryError('NotFound', `no proposal ${view.proposal_id}`);
    }
    authorizeTarget(cap, 'propose-or-apply', {
      descriptorId: view.descriptor.id,
      kind: view.descriptor.kind,
    });
    // Who signed and who is missing, per set (as in GET /proposals), while it is still live.
    return json(
      c,
      view.status === 'applied'
        ? view
        : { ...view, ...progressOf(view.descriptor, view.signatures, r.snapshot.governance) },
    );
  });

  app.post(`${BASE}/proposals/:proposal_id/signatures`, limit, async (c) => {
    const { r, id } = await beginProposalWrite(c, 'registry:propose');
    return json(c, await r.cosign(id, await body(c)), 202);
  });

  // SPEC §5 POST /apply: a pre-signed upload in one request, so the token needs both scopes.
  app.post(`${BASE}/apply`, limit, async (c) => {
    const { cap, r } = beginWrite(c, 'registry:propose');
    if (cap !== undefined) authorize(cap, { scope: 'registry:apply' });
    const raw = await body(c);
    const descriptor = (raw as { descriptor?: { id?: unknown; kind?: unknown } } | null)?.descriptor;
    if (typeof descriptor?.id === 'string' && typeof descriptor.kind === 'string') {
      const target = { descriptorId: descriptor.id, kind: descriptor.kind };
      authorizeTarget(cap, 'registry:propose', target);
      authorizeTarget(cap, 'registry:apply', target);
    }
    const started = performance.now();
    const result = await r.applySigned(raw, c.get('tokenName') ?? 'anonymous');
    deps.metrics.applied((performance.now() - started) / 1000);
    return json(c, result);
  });

  app.post(`${BASE}/apply/:proposal_id`, limit, async (c) => {
    const { r, id } = await beginProposalWrite(c, 'registry:apply');
    const started = performance.now();
    const result = await r.apply(id, c.get('tokenName') ?? 'anonymous');
    deps.metrics.applied((performance.now() - started) / 1000);
    return json(c, result);
  });
}
