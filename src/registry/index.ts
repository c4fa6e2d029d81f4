export { type BusEvent, type CloseReason, EventBus, type StreamItem, Subscription } from './bus.js';
export type { Entry } from './entry.js';
export type { IngestItem } from './ingest.js';
export type { LoadReport } from './load.js';
export type { ProposalStatus } from './proposals.js';
export { type ApplyResult, type ProposalView, Registry, type RegistryOptions } from './registry.js';
export type { ListQuery } from './snapshot.js';
