export { CHUNK_ROWS, type CheckpointMeta, type CheckpointRow, encodeChunk } from './checkpoint.js';
export { IMMUTABLE_PREFIXES, isImmutableKey, KEY, pad } from './keys.js';
// Types only: the NATS backend itself is `store/nats/index.ts`, loaded by cluster mode alone.
export type { ConnectionState, LogMessage, PublishOutcome, StreamMessage } from './nats/nats-log.js';
export { openLevelStore, openMemoryStore } from './open.js';
export { type Db, SCHEMA_VERSION, Store, type StoreOp } from './store.js';
export type * from './store.types.js';
