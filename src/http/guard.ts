import type { Context } from 'hono';
import { RegistryError } from '../core/index.js';
import type { Registry } from '../registry/index.js';
import type { AppDeps, AppEnv } from './app.types.js';
import { authorize, type Capability, type Scope } from './capability.js';

/** SPEC §5: until /readyz is 200, data routes answer 503 StoreUnavailable. */
export function engine(deps: AppDeps): Registry {
  const r = deps.state.registry;
  if (r === undefined || deps.state.shuttingDown) {
    throw new RegistryError(
      'StoreUnavailable',
      deps.state.shuttingDown
        ? 'registry is shutting down'
        : deps.state.upstream !== undefined
          ? `mirror of ${deps.state.upstream} has not caught up with its upstream yet`
          : 'registry is starting: snapshot not loaded yet',
      deps.state.shuttingDown ? 'retry against another instance' : 'retry once /readyz answers 200',
    );
  }
  return r;
}

/** SPEC §11: a mirror takes no writes. */
export function assertWritable(deps: AppDeps): void {
  const upstream = deps.state.upstream;
  if (upstream !== undefined) {
    throw new RegistryError(
      'ReadOnly',
      'this registry is a read-only mirror',
      `send writes to the upstream ${upstream}`,
    );
  }
}

/** Authenticates (401) the request's token for the scope (403); reads pass when READ_AUTH is off. */
export function authenticate(
  c: Context<AppEnv>,
  deps: AppDeps,
  scope: Scope | 'propose-or-apply',
): Capability | undefined {
  if (scope === 'registry:read' && !deps.readAuth) return undefined;
  const cap = credential(c, deps);
  c.set('tokenName', cap.identifier);
  if (scope === 'propose-or-apply') {
    try {
      authorize(cap, { scope: 'registry:propose' });
    } catch {
      authorize(cap, { scope: 'registry:apply' });
    }
  } else {
    authorize(cap, { scope });
  }
  return cap;
}

/** The request's capability: a JWT's (verified before the route, SPEC §7 OIDC) or a macaroon's. */
function credential(c: Context<AppEnv>, deps: AppDeps): Capability {
  const jwt = c.get('jwt');
  if (jwt instanceof RegistryError) throw jwt;
  return jwt ?? deps.auth.authenticate(c.req.header('authorization'));
}

/**
 * SPEC §7 read scoping: with READ_AUTH=true, may this token see descriptor `id` of `kind`?
 * `governance` always: clients need the trust root to verify anything they read.
 */
export function canRead(cap: Capability | undefined, id: string, kind: string | undefined): boolean {
  if (cap === undefined || id === 'governance') return true;
  if (!cap.idPrefixes.every((alts) => alts.some((p) => id.startsWith(p)))) return false;
  if (cap.kinds.length === 0) return true;
  return kind !== undefined && cap.kinds.every((list) => list.includes(kind));
}

/** A read of one descriptor outside the token's scope answers 404, as if it were absent (SPEC §7). */
export function assertReadable(cap: Capability | undefined, id: string, kind: string | undefined): void {
  if (!canRead(cap, id, kind)) throw new RegistryError('NotFound', `no descriptor ${id}`);
}

/** Whether the token bounds reads at all (an id-prefix or kind caveat). */
export function isScoped(cap: Capability | undefined): cap is Capability {
  return cap !== undefined && (cap.idPrefixes.length > 0 || cap.kinds.length > 0);
}

/** SPEC §7: `/log/…` holds every entry, so it needs a read token without id-prefix or kind caveats. */
export function assertUnscopedRead(cap: Capability | undefined): void {
  if (isScoped(cap)) {
    throw new RegistryError(
      'Forbidden',
      'the log holds every entry: it needs a read token without id-prefix or kind caveats',
    );
  }
}

/**
 * SPEC §7: with an id-prefix caveat, `/watch` needs `?prefix=` inside it (one alternative
 * of every caveat); the events then sent are the readable ones under that prefix.
 */
export function assertWatchPrefix(cap: Capability | undefined, prefix: string | undefined): void {
  if (cap === undefined || cap.idPrefixes.length === 0) return;
  const inside =
    prefix !== undefined && cap.idPrefixes.every((alts) => alts.some((p) => prefix.startsWith(p)));
  if (!inside) {
    throw new RegistryError(
      'Forbidden',
      `this token reads only ids starting with ${cap.idPrefixes.map((a) => a.join(' or ')).join(' and ')}: watch with ?prefix= inside it`,
      'add ?prefix=<one of the token id-prefixes> to /watch',
    );
  }
}

/** SPEC §7 id-prefix and kind caveats, once the descriptor a write concerns is known. */
export function authorizeTarget(
  cap: Capability | undefined,
  scope: Scope | 'propose-or-apply',
  target: { descriptorId: string; kind: string },
): void {
  if (cap === undefined) return;
  if (scope === 'propose-or-apply') {
    try {
      authorize(cap, { scope: 'registry:propose', ...target });
    } catch {
      authorize(cap, { scope: 'registry:apply', ...target });
    }
    return;
  }
  authorize(cap, { scope, ...target });
}
