import { RegistryError } from '../core/index.js';
import { sleepUnlessWoken } from './backoff.js';
import type { RegistryClient } from './client.js';
import type { WatchItem } from './client.types.js';

/**
 * Codes that say the log could not be read (the network, the server's state, the token),
 * not that what it served is wrong: a reason to reconnect, never to distrust.
 */
export const TRANSPORT_CODES: ReadonlySet<string> = new Set([
  'StoreUnavailable',
  'WriteRateLimited',
  'Unauthorized',
  'Forbidden',
]);

/**
 * The one normaliser of a failure met while following a log: a `RegistryError` as it is;
 * anything else (a reset socket, a DNS failure) is a `StoreUnavailable` that says `what`.
 */
export function asRegistryError(err: unknown, what: string): RegistryError {
  if (err instanceof RegistryError) return err;
  return new RegistryError(
    'StoreUnavailable',
    `${what}: ${err instanceof Error ? err.message : String(err)}`,
    '',
    {
      cause: err,
    },
  );
}

/** One connection of a follow: its abort signal, and a way to end it with a reason. */
export interface FollowSession {
  readonly signal: AbortSignal;
  /** Ends this connection; `reason` is what `ended` receives (the first reason wins). */
  abort(reason: unknown): void;
}

/** What a consumer of a log adds to the follower: where to start and what to do with each item. */
export interface FollowHandler {
  /** Where the next connection starts (`since`: the last verified seq). May wait. */
  since(): number | Promise<number>;
  /** One `/watch` item, in order. A returned promise is backpressure; a throw ends the connection. */
  item(item: WatchItem, session: FollowSession): unknown;
  /** The connection ended (all its work settled): why (undefined: the server closed it). The delay before the next, or undefined to stop. */
  ended(why: unknown): number | undefined;
  /** Called after the connection's stream has ended: wait for work still in flight. */
  settle?(): Promise<unknown>;
}

/**
 * The one follower loop of a registry's log (SPEC §6 `/watch`), shared by the SDK's
 * topology watcher and the mirror (SPEC §11): connect from `since`, replay then follow live,
 * treat a stream silent for `idleTimeoutMs` (default 45 s, three idle progress periods) as
 * broken, back off as the handler says, and resume from where the handler's state is.
 */
export class LogFollower {
  readonly #client: RegistryClient;
  readonly #handler: FollowHandler;
  readonly #idleMs: number;
  #closed = false;
  #loop: Promise<void> | undefined;
  #conn: AbortController | undefined;
  #wake: (() => void) | undefined;

  constructor(client: RegistryClient, handler: FollowHandler, opts: { idleTimeoutMs?: number } = {}) {
    this.#client = client;
    this.#handler = handler;
    this.#idleMs = opts.idleTimeoutMs ?? 45_000;
  }

  get closed(): boolean {
    return this.#closed;
  }

  start(): void {
    if (this.#loop === undefined && !this.#closed) this.#loop = this.#run();
  }

  /** Ends the connection and any backoff; resolves when the loop has exited. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#conn?.abort();
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      const why = await this.#session();
      if (this.#closed) break;
      const delay = this.#handler.ended(why);
      if (delay === undefined) break;
      await sleepUnlessWoken(delay, (wake) => {
        this.#wake = wake;
      });
    }
  }

  /** One connection: returns why it ended. */
  async #session(): Promise<unknown> {
    const since = await this.#handler.since();
    const conn = new AbortController();
    this.#conn = conn;
    if (this.#closed) return undefined;
    let why: unknown;
    const session: FollowSession = {
      signal: conn.signal,
      abort(reason) {
        if (!conn.signal.aborted) why = reason;
        conn.abort();
      },
    };
    let idle: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(
        () =>
          session.abort(new RegistryError('StoreUnavailable', `watch stream silent for ${this.#idleMs} ms`)),
        this.#idleMs,
      );
    };
    try {
      arm();
      for await (const item of this.#client.watch({ since, signal: conn.signal })) {
        clearTimeout(idle);
        await this.#handler.item(item, session);
        if (this.#closed || conn.signal.aborted) break;
        arm();
      }
    } catch (err) {
      if (!conn.signal.aborted) why = err;
    } finally {
      clearTimeout(idle);
      conn.abort();
      await this.#handler.settle?.();
    }
    return why;
  }
}
