export { type BusEvent, type CloseReason, EventBus, type StreamItem, Subscription } from './bus.js';
export { ClusterLink } from './cluster/cluster-link.js';
export { type Cluster, type ClusterOptions, openCluster } from './cluster/cluster-open.js';
export type { ReplicatedItem } from './cluster/replicated.js';
export type { SharedProposals, StreamFollow, StreamLog } from './cluster/shared-log.js';
export type { Entry } from './entry.js';
export type { IngestItem } from './ingest.js';
export type { LoadReport } from './load.js';
export { mirrorMode, standaloneMode } from './local-mode.js';
export { SignedCheckpoint } from './log/signed-checkpoint.js';
export { defaultOrigin, TransparencyLog, type TransparencyLogOptions } from './log/transparency-log.js';
export { WitnessClient, type WitnessClientOptions } from './log/witness-client.js';
export {
  defaultWitnessName,
  type WitnessReply,
  WitnessRole,
  type WitnessRoleOptions,
} from './log/witness-role.js';
export type { Admission, EngineMode } from './modes.types.js';
export { listProposals, progressOf, summarize } from './proposal-list.js';
export type { ProposalStatus } from './proposals.js';
export { type ApplyResult, type ProposalView, Registry, type RegistryOptions } from './registry.js';
export { SchemaCatalog, type SchemaSource, type SchemaVersion } from './schema-catalog.js';
export {
  type Against,
  type CompatChecker,
  type CompatVerdict,
  type CompatViolation,
  checkAgainst,
  docOf,
  type SchemaDoc,
  versionsAgainst,
} from './schema-rules.js';
export type { ListQuery } from './snapshot.js';
export type { BusView, SnapshotView, StoreReader } from './views.types.js';
