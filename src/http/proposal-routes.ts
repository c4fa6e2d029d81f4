import type { Hono } from 'hono';
import { badRequest } from '../core/index.js';
import { listProposals } from '../registry/index.js';
import type { AppDeps, AppEnv } from './app.types.js';
import { authenticate, canRead, engine, isScoped } from './guard.js';
import { parseLimit } from './read-routes.js';
import { json } from './respond.js';
import { BASE } from './routes.js';

const PROPOSAL_ID = /^[0-9a-f]{64}$/;
const STATUSES = new Set(['pending', 'ready']);

/** Cursor = base64url of `descriptor_id\nproposal_id`: the last item's place in the order. */
function encodeCursor(descriptorId: string, proposalId: string): string {
  return Buffer.from(`${descriptorId}\n${proposalId}`, 'utf8').toString('base64url');
}

function decodeCursor(raw: string): { descriptorId: string; proposalId: string } {
  const [descriptorId = '', proposalId = '', ...rest] = Buffer.from(raw, 'base64url')
    .toString('utf8')
    .split('\n');
  if (rest.length > 0 || descriptorId === '' || !PROPOSAL_ID.test(proposalId)) {
    throw badRequest('cursor', 'not a cursor this registry issued');
  }
  if (encodeCursor(descriptorId, proposalId) !== raw)
    throw badRequest('cursor', 'not a cursor this registry issued');
  return { descriptorId, proposalId };
}

/**
 * SPEC §5 GET /proposals: the live (pending and ready) proposals with who signed and who is
 * missing, per signer set. A token sees only the ids its id-prefix and kind caveats cover.
 */
export function proposalRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get(`${BASE}/proposals`, (c) => {
    const cap = authenticate(c, deps, 'propose-or-apply');
    const r = engine(deps);
    const status = c.req.query('status') || undefined;
    if (status !== undefined && !STATUSES.has(status)) throw badRequest('status', 'must be pending or ready');
    const prefix = c.req.query('prefix') || undefined;
    const cursor = c.req.query('cursor') || undefined;
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const page = listProposals(r.pendingProposals(), r.snapshot.governance, {
      limit: parseLimit(c.req.query('limit')),
      ...(status === undefined ? {} : { status: status as 'pending' | 'ready' }),
      ...(prefix === undefined ? {} : { prefix }),
      ...(after === undefined ? {} : { after }),
      // The trust-root exception of read scoping is for reading governance, not its proposals.
      visible: (id, kind) => canRead(cap, id, kind) && (id !== 'governance' || !isScoped(cap)),
    });
    const last = page.items.at(-1);
    return json(c, {
      items: page.items,
      next_cursor:
        page.more && last !== undefined ? encodeCursor(last.descriptor_id, last.proposal_id) : null,
    });
  });
}
