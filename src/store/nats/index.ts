/**
 * Cluster mode's NATS backend, its own entry point: only a cluster process loads
 * `@nats-io` (the store barrel re-exports these types only, so a standalone process never does).
 */
export {
  type ConnectionState,
  Follow,
  type LogMessage,
  NatsLog,
  type NatsLogOptions,
  type PublishOutcome,
  type StreamMessage,
} from './nats-log.js';
export { ProposalBucket, type Revisioned } from './proposal-bucket.js';
