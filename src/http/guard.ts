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
      deps.state.shuttingDown ? 'registry is shutting down' : 'registry is starting: snapshot not loaded yet',
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
  const cap = deps.auth.authenticate(c.req.header('authorization'));
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
