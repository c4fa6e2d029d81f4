export { CHUNK_ROWS, type CheckpointMeta, type CheckpointRow, encodeChunk } from './checkpoint.js';
export { IMMUTABLE_PREFIXES, isImmutableKey, KEY, pad } from './keys.js';
export {
  type ConnectionState,
  Follow,
  type LogMessage,
  NatsLog,
  type NatsLogOptions,
  type PublishOutcome,
  type StreamMessage,
} from './nats/nats-log.js';
export { ProposalBucket } from './nats/proposal-bucket.js';
export { openLevelStore, openMemoryStore } from './open.js';
export { type Db, SCHEMA_VERSION, Store, type StoreOp } from './store.js';
export type * from './store.types.js';
