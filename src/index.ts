/**
 * The package entry: the client SDK (SPEC §5 routes, `/watch`, a verifying topology
 * watcher) and what a client needs from the pure core to build, sign and check
 * descriptors. Server internals (engine, store, HTTP app) are not part of it.
 */
export * from './client/index.js';
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
