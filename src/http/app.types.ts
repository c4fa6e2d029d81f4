import type { Logger } from 'pino';
import type { ErrorCode } from '../core/index.js';
import type { Authenticator } from './capability.js';
import type { Metrics } from './metrics.js';
import type { WriteRateLimiter } from './rate-limit.js';
import type { ServiceState } from './service-state.js';

export interface AppDeps {
  readonly state: ServiceState;
  readonly auth: Authenticator;
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
  Variables: { requestId: string; tokenName: string | undefined; errorCode: ErrorCode | undefined };
}
