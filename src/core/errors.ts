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
  | 'NoQuorum'
  | 'PayloadTooLarge'
  | 'BadSignature'
  | 'WriteRateLimited'
  | 'StoreUnavailable'
  | 'ReadOnly';

/** SPEC §5: HTTP status of each code. */
export const STATUS = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  StaleVersion: 409,
  NoQuorum: 412,
  PayloadTooLarge: 413,
  BadSignature: 422,
  WriteRateLimited: 429,
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
  NoQuorum: false,
  PayloadTooLarge: false,
  BadSignature: false,
  WriteRateLimited: true,
  StoreUnavailable: true,
  ReadOnly: false,
} as const satisfies Record<ErrorCode, boolean>;

/** What an operator can do next, when the thrower has nothing more specific to say. */
const DEFAULT_HINT = {
  BadRequest: 'fix the request; see SPEC §2 for the descriptor schema',
  Unauthorized: 'send `Authorization: Bearer <macaroon>` minted with `registry token mint`',
  Forbidden: 'use a token whose scope, id-prefix and kind caveats cover this request',
  NotFound: '',
  MethodNotAllowed: 'see the Allow header',
  StaleVersion: 'fetch the current head and sign a descriptor that extends it',
  NoQuorum: 'collect more signatures with `registry cosign`',
  PayloadTooLarge: 'send a smaller body',
  BadSignature: 'sign the exact signing bytes (`registry digest --bytes`) with an allow-listed key',
  WriteRateLimited: 'retry after the Retry-After delay',
  StoreUnavailable: 'retry later; reads keep working',
  ReadOnly: 'send writes to the upstream registry',
} as const satisfies Record<ErrorCode, string>;

export const ERROR_CODES = Object.keys(STATUS) as readonly ErrorCode[];

export class RegistryError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;

  constructor(code: ErrorCode, message: string, hint?: string, opts?: ErrorOptions) {
    super(message, opts);
    this.name = 'RegistryError';
    this.code = code;
    this.hint = hint ?? DEFAULT_HINT[code];
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

/** Shorthand for the most common refusal: a schema violation naming the field. */
export function badRequest(field: string, problem: string): RegistryError {
  return new RegistryError('BadRequest', `${field}: ${problem}`);
}
