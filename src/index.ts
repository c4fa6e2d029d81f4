/**
 * The package entry, curated: the client SDK (SPEC §5 routes, `/watch`, a verifying topology
 * watcher) and what a client needs from the pure core to build, sign and check
 * descriptors. Server internals (engine, store, HTTP app) are not part of it, nor are the
 * client's own building blocks (the follower loop, backoff, SSE parser, entry checks):
 * `src/client/index.ts` is the folder's surface for the mirror, this file the package's.
 */
export type { BackoffOptions } from './client/backoff.js';
export { DEFAULT_BASE_URL, RegistryClient } from './client/client.js';
export type * from './client/client.types.js';
export { RegistryResponseError } from './client/response-error.js';
export { TopologyWatcher } from './client/topology-watcher.js';
export type * from './client/topology-watcher.types.js';
export type {
  Descriptor,
  Endpoint,
  GovernanceBody,
  HeadRef,
  Kind,
  NodeBody,
  Payload,
  RegionMapBody,
  RegionService,
  ServiceBody,
} from './core/index.js';
export {
  assertGenesis,
  canonicalJson,
  digestOf,
  ERROR_CODES,
  type ErrorCode,
  encodeSignerId,
  type Governance,
  generateSigningKey,
  governanceOf,
  isRegistryError,
  parseDescriptor,
  parsePayload,
  payloadOf,
  RegistryError,
  type Signature,
  type SignerId,
  type SigningKey,
  signingBytes,
  signingKeyFromSeed,
  signPayload,
  type Verified,
  verifyDescriptor,
} from './core/index.js';
