import { type ErrorCode, RegistryError, STATUS } from '../core/index.js';

/** SPEC §5 error envelope: all six fields always present. */
export interface Envelope {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly hint: string;
    readonly retryable: boolean;
    readonly ts: string;
    readonly request_id: string;
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
    },
  };
}

const BY_STATUS = new Map<number, ErrorCode>(
  (Object.entries(STATUS) as Array<[ErrorCode, number]>)
    .filter(([c]) => c !== 'ReadOnly')
    .map(([c, s]) => [s, c]),
);

/**
 * Any thrown value as a RegistryError. Framework errors carry a status (hono's
 * HTTPException, the node adapter's RequestError); anything else is a registry bug and
 * answers 503 StoreUnavailable rather than a 500 with no SPEC code.
 */
export function toRegistryError(err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  const status = typeof err === 'object' && err !== null && 'status' in err ? Number(err.status) : undefined;
  const code = status === undefined ? undefined : BY_STATUS.get(status);
  if (code !== undefined)
    return new RegistryError(code, (err as Error).message || code, undefined, { cause: err });
  if (status !== undefined && status >= 400 && status < 500) {
    return new RegistryError('BadRequest', (err as Error).message || 'bad request', undefined, {
      cause: err,
    });
  }
  return new RegistryError('StoreUnavailable', 'internal error; see the server log', 'retry later', {
    cause: err,
  });
}
