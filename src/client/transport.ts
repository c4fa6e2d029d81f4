import { RegistryError } from '../core/index.js';
import type { ClientOptions } from './client.types.js';
import { responseError } from './response-error.js';

export const DEFAULT_BASE_URL = 'http://127.0.0.1:9402';
const DEFAULT_TIMEOUT_MS = 10_000;

/** One JSON request: what to send and how to read a 2xx (or a `pass` status). */
export interface Call<T> {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Statuses besides 2xx handed to `parse` rather than turned into an error. */
  readonly pass?: readonly number[];
  readonly parse: (text: string, res: Response) => T;
}

/**
 * The HTTP edge of the client: base URL, bearer token, deadline, and the mapping of every
 * failure onto a `RegistryError` (non-2xx → the envelope's code; unreachable or too slow →
 * `StoreUnavailable` with the cause).
 */
export class Transport {
  readonly baseUrl: string;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;
  readonly timeoutMs: number;

  constructor(opts: ClientOptions) {
    this.baseUrl = (opts.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.#token = opts.token;
    this.#fetch = opts.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Sends `c` and parses the whole body, within `timeoutMs`. */
  async call<T>(c: Call<T>): Promise<T> {
    const { signal, abort, clear } = this.#deadline(c.method, c.path);
    try {
      const init: RequestInit = {
        method: c.method,
        headers: this.#headers({
          accept: 'application/json',
          ...(c.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...c.headers,
        }),
        signal,
      };
      if (c.body !== undefined) init.body = JSON.stringify(c.body);
      let res: Response;
      let text: string;
      try {
        res = await this.#fetch(`${this.baseUrl}${c.path}`, init);
        text = await res.text();
      } catch (err) {
        throw this.#unreachable(c.method, c.path, err, signal);
      }
      if (!res.ok && !(c.pass ?? []).includes(res.status)) {
        throw responseError(res, text, `${c.method} ${c.path}`);
      }
      return c.parse(text, res);
    } finally {
      clear();
      abort();
    }
  }

  /**
   * Opens a long-lived GET (SSE): `timeoutMs` bounds the wait for the headers only.
   * Returns undefined when `signal` aborted first; `close` ends the request.
   */
  async stream(
    path: string,
    signal: AbortSignal | undefined,
  ): Promise<{ res: Response; close: () => void } | undefined> {
    const deadline = this.#deadline('GET', path);
    const combined = signal === undefined ? deadline.signal : AbortSignal.any([deadline.signal, signal]);
    let res: Response;
    try {
      res = await this.#fetch(`${this.baseUrl}${path}`, {
        headers: this.#headers({ accept: 'text/event-stream' }),
        signal: combined,
      });
    } catch (err) {
      deadline.abort();
      if (signal?.aborted === true) return undefined;
      throw this.#unreachable('GET', path, err, deadline.signal);
    } finally {
      deadline.clear();
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      deadline.abort();
      throw responseError(res, text, `GET ${path}`);
    }
    return { res, close: deadline.abort };
  }

  #deadline(method: string, path: string): { signal: AbortSignal; abort: () => void; clear: () => void } {
    const ctrl = new AbortController();
    const timer = setTimeout(
      () =>
        ctrl.abort(
          new RegistryError('StoreUnavailable', `${method} ${path}: no response within ${this.timeoutMs} ms`),
        ),
      this.timeoutMs,
    );
    return { signal: ctrl.signal, abort: () => ctrl.abort(), clear: () => clearTimeout(timer) };
  }

  #headers(extra: Readonly<Record<string, string>>): Record<string, string> {
    return {
      ...(this.#token === undefined ? {} : { authorization: `Bearer ${this.#token}` }),
      ...extra,
    };
  }

  #unreachable(method: string, path: string, err: unknown, signal: AbortSignal): RegistryError {
    if (signal.aborted && signal.reason instanceof RegistryError) return signal.reason;
    const why = err instanceof Error ? err.message : String(err);
    return new RegistryError(
      'StoreUnavailable',
      `${method} ${path}: cannot reach ${this.baseUrl}: ${why}`,
      'check that the registry runs and baseUrl is right; retry later',
      { cause: err },
    );
  }
}
