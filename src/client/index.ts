export type { BackoffOptions } from './backoff.js';
export { backoffDelay, sleepUnlessWoken } from './backoff.js';
export { DEFAULT_BASE_URL, RegistryClient } from './client.js';
export type * from './client.types.js';
export {
  asRegistryError,
  type FollowHandler,
  type FollowSession,
  LogFollower,
  TRANSPORT_CODES,
} from './log-follower.js';
export { RegistryResponseError } from './response-error.js';
export { MAX_SSE_MESSAGE_BYTES, readSse, type SseMessage, SseParser } from './sse.js';
export { TopologyWatcher } from './topology-watcher.js';
export type * from './topology-watcher.types.js';
export { assertNextEntry, claimOf, headRefOf, type VerifiedHead } from './verify-entry.js';
