import { type ErrorCode, type ErrorDetail, messageOf, RegistryError, STATUS } from '../core/index.js';

/** SPEC §5 error envelope: all six fields always present, `details` when the error lists problems. */
export interface Envelope {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly hint: string;
    readonly retryable: boolean;
    readonly ts: string;
    readonly request_id: string;
    readonly details?: readonly ErrorDetail[];
  };
}

export function envelopeOf(err: RegistryError, requestId: string, now: number): Envelope {
  return {
    error: {
      code: err.code,
      message: err.message,
      hint: err.hint,
      retryable: err.retryable,
      // RFC 3339 at second precision, as in SPEC's example.
      ts: `${new Date(now).toISOString().slice(0, 19)}Z`,
      request_id: requestId,
      ...(err.details === undefined ? {} : { details: err.details }),
    },
  };
}

const BY_STATUS = new Map<number, ErrorCode>(
  (Object.entries(STATUS) as Array<[ErrorCode, number]>)
    // One code per status for framework errors: 409 is StaleVersion, 503 StoreUnavailable.
    .filter(([c]) => c !== 'ReadOnly' && c !== 'Incompatible')
    .map(([c, s]) => [s, c]),
);

/**
 * Any thrown value as a RegistryError. Framework errors carry a status (hono's
 * HTTPException, the node adapter's RequestError); anything else is a registry bug:
 * SPEC §5 500 `Internal`, not retryable (retrying meets the same bug).
 */
export function toRegistryError(err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  const status = typeof err === 'object' && err !== null && 'status' in err ? Number(err.status) : undefined;
  const code = status === undefined ? undefined : BY_STATUS.get(status);
  if (code !== undefined) return new RegistryError(code, messageOf(err) || code, undefined, { cause: err });
  if (status !== undefined && status >= 400 && status < 500) {
    return new RegistryError('BadRequest', messageOf(err) || 'bad request', undefined, {
      cause: err,
    });
  }
  return new RegistryError('Internal', 'internal error; see the server log', undefined, { cause: err });
}
