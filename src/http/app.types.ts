import type { Logger } from 'pino';
import type { ErrorCode, RegistryError } from '../core/index.js';
import type { Authenticator, Capability } from './capability.js';
import type { Metrics } from './metrics.js';
import type { OidcVerifier } from './oidc/oidc-verifier.js';
import type { WriteRateLimiter } from './rate-limit.js';
import type { ServiceState } from './service-state.js';

export interface AppDeps {
  readonly state: ServiceState;
  readonly auth: Authenticator;
  /** SPEC §7 OIDC tokens (OIDC_ISSUERS); undefined when no issuer is configured. */
  readonly oidc?: OidcVerifier;
  /** SPEC §5: reads need scope registry:read only when READ_AUTH=true. */
  readonly readAuth: boolean;
  readonly maxBodyBytes: number;
  readonly limiter: WriteRateLimiter;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly now: () => number;
  readonly version: string;
  /** SPEC §6 idle progress interval (15 s; shorter in tests). */
  readonly watchProgressMs?: number;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    tokenName: string | undefined;
    errorCode: ErrorCode | undefined;
    /** A Bearer JWT's outcome, verified (async) before the route runs: its capability or its refusal. */
    jwt: Capability | RegistryError | undefined;
  };
}
