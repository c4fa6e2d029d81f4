import type { Descriptor, Kind, Payload, ProposalSummary, RegionMapBody, Signature } from '../core/index.js';

/** Options of {@link RegistryClient}. */
export interface ClientOptions {
  /** Where the registry listens; default `http://127.0.0.1:9402`. A trailing `/` is ignored. */
  readonly baseUrl?: string;
  /** A macaroon (SPEC §7), sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** The fetch to use (default: the global one of Node 20); tests and proxies inject theirs. */
  readonly fetch?: typeof fetch;
  /**
   * Per-request deadline in ms, from sending to the whole body read (default 10,000). For
   * `watch` it bounds only the wait for the response headers: a stream is long-lived.
   */
  readonly timeoutMs?: number;
}

/** GET /descriptors query (SPEC §5). */
export interface ListQuery {
  readonly kind?: Kind;
  readonly prefix?: string;
  /** 1..1000, default 100 (server side). */
  readonly limit?: number;
  /** The `next_cursor` of the previous page. */
  readonly cursor?: string;
}

export interface ListItem {
  readonly id: string;
  readonly version: number;
  readonly kind: Kind;
  readonly digest: string;
  readonly deprecated: boolean;
  readonly ts: number;
}

export interface ListPage {
  readonly items: readonly ListItem[];
  readonly next_cursor: string | null;
}

/** A descriptor as served by GET /descriptors/{id}[/versions/{n}], parsed (SPEC §2). */
export interface DescriptorResponse {
  readonly descriptor: Descriptor;
  /** The digest computed from the served payload (equal to the ETag's, or the call throws). */
  readonly digest: string;
  /** The `ETag` header as sent, quotes included: pass it to `getIfChanged`. */
  readonly etag: string;
  /** `X-Registry-Version`: the global version of the snapshot that answered. */
  readonly registryVersion: number;
  /**
   * The response body as received: a mirror (SPEC §11) stores and serves these exact bytes,
   * so it must see them, not a re-serialisation of `descriptor`.
   */
  readonly body: string;
}

export interface VersionInfo {
  readonly version: number;
  readonly digest: string;
  readonly ts: number;
  readonly deprecated: boolean;
}

export interface RegionMapResponse {
  readonly version: number;
  readonly digest: string;
  readonly regions: RegionMapBody['regions'];
  readonly etag: string;
  readonly registryVersion: number;
}

/** 202 of POST /proposals and of co-signing (SPEC §5). */
export interface ProposalStatus {
  readonly proposal_id: string;
  readonly status: 'pending' | 'ready';
  readonly signatures: number;
  readonly threshold: number;
  readonly expires_at: string;
}

/** 200 of POST /apply (SPEC §5). */
export interface ApplyResult {
  readonly version: number;
  readonly descriptor_id: string;
  readonly descriptor_version: number;
  readonly digest: string;
}

export type { ProposalSummary, SetProgress } from '../core/index.js';

export interface ProposalQuery {
  readonly status?: 'pending' | 'ready';
  readonly prefix?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

/** GET /proposals/{proposal_id} (SPEC §5). */
export interface ProposalView {
  readonly proposal_id: string;
  readonly descriptor: Payload;
  readonly signatures: readonly Signature[];
  readonly status: 'pending' | 'ready' | 'applied';
  readonly threshold: number;
  readonly expires_at: string | null;
  readonly applied?: ApplyResult;
  /** While pending or ready: who signed and who is missing, per signer set (empty once applied). */
  readonly signed_by: readonly string[];
  readonly missing: readonly string[];
  readonly sets: ProposalSummary['sets'];
}

/** GET /readyz, 200 or 503 (SPEC §5). */
export interface ReadyStatus {
  readonly ready: boolean;
  readonly store: string;
  readonly bus: string;
  readonly writes: string;
  /** Extra fields the server adds (e.g. `version`, mirror lag) are passed through. */
  readonly [extra: string]: unknown;
}

/** The CloudEvents 1.0 object carried by one `/watch` message (SPEC §6). */
export interface CloudEvent {
  readonly specversion: '1.0';
  /** The log seq, as a string. */
  readonly id: string;
  readonly source: string;
  readonly type: 'registry.published' | 'registry.deprecated';
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: string;
  readonly data: {
    readonly descriptor_id: string;
    readonly version: number;
    readonly digest: string;
    readonly ts: number;
    readonly registry_version: number;
  };
}

/** One log entry from `/watch`. */
export interface WatchEvent {
  readonly type: 'event';
  readonly seq: number;
  readonly event: CloudEvent;
}

/** `event: progress`: the server's log head; the watcher is current when it has reached it. */
export interface ProgressNote {
  readonly type: 'progress';
  readonly registryVersion: number;
}

export type WatchItem = WatchEvent | ProgressNote;

export interface WatchOptions {
  /** Exclusive: the first event is `since + 1` (default 0, the whole log from genesis). */
  readonly since?: number;
  /** Only events of ids starting with this (server-side; required inside a token's id-prefix with READ_AUTH). */
  readonly prefix?: string;
  /** Aborting ends the iteration quietly. */
  readonly signal?: AbortSignal;
}
