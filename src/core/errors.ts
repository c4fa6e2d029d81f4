/**
 * The one error type of the registry. Every refusal anywhere in the project is a
 * `RegistryError` whose `code` is one of SPEC §5's error codes; `http/` alone turns it
 * into the wire envelope.
 */
export type ErrorCode =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'StaleVersion'
  | 'Incompatible'
  | 'NoQuorum'
  | 'PayloadTooLarge'
  | 'BadSignature'
  | 'WriteRateLimited'
  | 'Internal'
  | 'StoreUnavailable'
  | 'ReadOnly';

/** SPEC §5 `details`: one problem of a request body (`path` a JSON Pointer into it), or one compatibility violation (§12). */
export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
  /** §12 `Incompatible`: the kebab-case name of the change. */
  readonly change?: string;
  /** §12 `Incompatible`: the version the candidate breaks. */
  readonly against?: number;
}

/** SPEC §5: HTTP status of each code. */
export const STATUS = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  StaleVersion: 409,
  Incompatible: 409,
  NoQuorum: 412,
  PayloadTooLarge: 413,
  BadSignature: 422,
  WriteRateLimited: 429,
  Internal: 500,
  StoreUnavailable: 503,
  ReadOnly: 503,
} as const satisfies Record<ErrorCode, number>;

/** SPEC §5: only rate limiting and an unavailable store are worth retrying unchanged. */
const RETRYABLE = {
  BadRequest: false,
  Unauthorized: false,
  Forbidden: false,
  NotFound: false,
  MethodNotAllowed: false,
  StaleVersion: false,
  Incompatible: false,
  NoQuorum: false,
  PayloadTooLarge: false,
  BadSignature: false,
  WriteRateLimited: true,
  // SPEC §5: a bug is not an outage; retrying the same request meets the same bug.
  Internal: false,
  StoreUnavailable: true,
  ReadOnly: false,
} as const satisfies Record<ErrorCode, boolean>;

/** What an operator can do next, when the thrower has nothing more specific to say. */
const DEFAULT_HINT = {
  BadRequest:
    'fix the request: `details` lists each problem; the body schemas are at GET /v1/registry/kinds and in /v1/registry/openapi.json',
  Unauthorized:
    'set REGISTRY_TOKEN to a valid token (`registry token mint`; over HTTP: `Authorization: Bearer <token>`)',
  Forbidden: 'use a token whose scope, id-prefix and kind caveats cover this request',
  NotFound: '',
  MethodNotAllowed: 'see the Allow header',
  StaleVersion:
    'another version was applied since this one was drafted: `registry draft` again (new prev), sign and propose the new file',
  Incompatible:
    'change the schema so it keeps the compatibility mode in force, or loosen the mode by quorum first',
  NoQuorum: 'collect more signatures with `registry cosign`',
  PayloadTooLarge: 'send a smaller body',
  BadSignature: 'sign the exact signing bytes (`registry digest --bytes`) with an allow-listed key',
  WriteRateLimited: 'retry after the Retry-After delay',
  Internal: 'this is a bug in the registry: report it with the request_id',
  StoreUnavailable: 'retry later',
  ReadOnly: 'send writes to the upstream registry',
} as const satisfies Record<ErrorCode, string>;

export const ERROR_CODES = Object.keys(STATUS) as readonly ErrorCode[];

export interface RegistryErrorOptions extends ErrorOptions {
  /** SPEC §5 `details`: every problem of the request, not only the first. */
  readonly details?: readonly ErrorDetail[];
  /** A retryable refusal that knows when a retry can succeed: the `Retry-After` header (seconds). */
  readonly retryAfterSeconds?: number;
}

export class RegistryError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly details: readonly ErrorDetail[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, hint?: string, opts?: RegistryErrorOptions) {
    super(message, opts);
    this.name = 'RegistryError';
    this.code = code;
    this.hint = hint ?? DEFAULT_HINT[code];
    this.details = opts?.details;
    this.retryAfterSeconds = opts?.retryAfterSeconds;
  }

  get status(): number {
    return STATUS[this.code];
  }

  get retryable(): boolean {
    return RETRYABLE[this.code];
  }
}

export function isRegistryError(err: unknown, code?: ErrorCode): err is RegistryError {
  return err instanceof RegistryError && (code === undefined || err.code === code);
}

/** An unknown thrown value's message, for logs and wrapped errors (no `(err as Error).message` casts). */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : String(err);
}

/** Shorthand for the most common refusal: a schema violation naming the field. */
export function badRequest(field: string, problem: string): RegistryError {
  return new RegistryError('BadRequest', `${field}: ${problem}`);
}
