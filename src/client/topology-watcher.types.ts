import type { Descriptor, RegistryError } from '../core/index.js';
import type { BackoffOptions } from './backoff.js';
import type { RegistryClient } from './client.js';
import type { ClientOptions } from './client.types.js';

/** The trust root a watcher is configured with: the registry's genesis (SPEC §3, §11). */
export interface PinnedGenesis {
  readonly signers: readonly string[];
  readonly threshold: number;
}

/** One verified head in a watcher's view. */
export interface ViewEntry {
  readonly descriptor: Descriptor;
  /** SPEC §2 digest, computed locally from the verified payload. */
  readonly digest: string;
  readonly version: number;
  /** The log seq that made this version the head. */
  readonly seq: number;
}

/** One verified log entry, delivered exactly once, in seq order. */
export interface ChangeEvent {
  readonly seq: number;
  readonly type: 'published' | 'deprecated';
  readonly id: string;
  readonly current: ViewEntry;
  /** The head it replaced; undefined for a new id. */
  readonly previous: ViewEntry | undefined;
}

/**
 * Where a failure happened. `verify`: the entry at `seq` was refused (bad signature,
 * unknown signer, no quorum, version or seq not extending the view, digest mismatch,
 * malformed data). `fetch`: the descriptor of `seq` could not be read (network, auth).
 * `connect`: the stream could not be opened, broke, or went silent. `progress`: the
 * server's log head is behind the watcher (a rolled-back or lagging server). `listener`: a
 * change callback threw.
 */
export type WatcherPhase = 'verify' | 'fetch' | 'connect' | 'progress' | 'listener';

export interface WatcherErrorEvent {
  readonly error: RegistryError;
  readonly phase: WatcherPhase;
  /** The refused or unreadable seq; undefined for connection problems. */
  readonly seq: number | undefined;
  /** Consecutive failed attempts (1 for the first). */
  readonly attempt: number;
  /** Delay before the next attempt; undefined when the watcher halted or closed. */
  readonly retryInMs: number | undefined;
}

export type WatcherStatus = 'idle' | 'connecting' | 'syncing' | 'live' | 'backoff' | 'halted' | 'closed';

export interface TopologyWatcherOptions extends ClientOptions {
  /** The SPEC §3 genesis to pin: the only trust the watcher starts with. */
  readonly genesis: PinnedGenesis;
  /** A client to use instead of one built from the ClientOptions. */
  readonly client?: RegistryClient;
  readonly backoff?: BackoffOptions;
  /**
   * Reconnect when the stream says nothing for this long, in ms (default 45,000: three
   * of the server's 15 s idle progress notes missed).
   */
  readonly idleTimeoutMs?: number;
  /**
   * After a refused entry: `retry` (default) reconnects after backoff and re-fetches from
   * the last good seq, reporting every failure; `halt` stops the watcher (status `halted`).
   * Either way the view stays at the last good seq.
   */
  readonly onVerificationFailure?: 'retry' | 'halt';
  readonly onChange?: (change: ChangeEvent) => void;
  readonly onError?: (event: WatcherErrorEvent) => void;
  /** Source of jitter in [0, 1) (default Math.random); tests make it deterministic. */
  readonly random?: () => number;
}

export interface WatcherEvents {
  change: ChangeEvent;
  error: WatcherErrorEvent;
  /** The watcher has applied everything up to the server's progress note. */
  synced: { readonly seq: number };
}
