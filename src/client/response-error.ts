import { ERROR_CODES, type ErrorCode, type ErrorDetail, RegistryError, STATUS } from '../core/index.js';

/**
 * A refusal answered by a registry: a {@link RegistryError} (same `code`, `message` and `hint`
 * as the SPEC §5 envelope) that also carries the envelope's `request_id`, for the server log.
 *
 * @example
 * ```ts
 * try {
 *   await client.apply(proposalId);
 * } catch (err) {
 *   if (err instanceof RegistryError && err.code === 'NoQuorum') console.log(err.hint);
 *   if (err instanceof RegistryResponseError) console.log('ask the operator about', err.requestId);
 * }
 * ```
 */
export class RegistryResponseError extends RegistryError {
  /** The envelope's `request_id` (= the `X-Request-Id` header); '' when the server sent none. */
  readonly requestId: string;
  /** The HTTP status as received (a proxy may answer a status SPEC does not list). */
  readonly httpStatus: number;
  /** `Retry-After` in ms, when the server set it (429). */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    hint: string,
    meta: {
      requestId: string;
      httpStatus: number;
      retryAfterMs?: number | undefined;
      details?: readonly ErrorDetail[] | undefined;
    },
  ) {
    super(code, message, hint, meta.details === undefined ? undefined : { details: meta.details });
    this.name = 'RegistryResponseError';
    this.requestId = meta.requestId;
    this.httpStatus = meta.httpStatus;
    this.retryAfterMs = meta.retryAfterMs;
  }
}

const BY_STATUS = new Map<number, ErrorCode>(
  (Object.entries(STATUS) as Array<[ErrorCode, number]>)
    .filter(([c]) => c !== 'ReadOnly')
    .map(([c, s]) => [s, c]),
);

/** SPEC §5 `details`, kept when well-formed (attacker-controlled: only the known fields, as typed). */
function detailsOf(raw: unknown): ErrorDetail[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const out: ErrorDetail[] = [];
  for (const d of raw.slice(0, 1000)) {
    if (typeof d !== 'object' || d === null) continue;
    const { path, message, change, against } = d as Record<string, unknown>;
    if (typeof path !== 'string' || typeof message !== 'string') continue;
    out.push({
      path,
      message,
      ...(typeof change === 'string' ? { change } : {}),
      ...(typeof against === 'number' ? { against } : {}),
    });
  }
  return out;
}

function codeOf(raw: unknown): ErrorCode | undefined {
  return typeof raw === 'string' && (ERROR_CODES as readonly string[]).includes(raw)
    ? (raw as ErrorCode)
    : undefined;
}

/** Turns a non-2xx answer (its body already read as text) into a RegistryResponseError. */
export function responseError(res: Response, text: string, what: string): RegistryResponseError {
  const headerId = res.headers.get('x-request-id') ?? '';
  const retryAfter = Number(res.headers.get('retry-after') ?? Number.NaN);
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined;
  let envelope: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    const error = (parsed as { error?: unknown } | null)?.error;
    if (typeof error === 'object' && error !== null) envelope = error as Record<string, unknown>;
  } catch {
    // Not an envelope (a proxy's HTML page, say): classified by status below.
  }
  const code = codeOf(envelope?.code);
  if (envelope !== undefined && code !== undefined) {
    const message = typeof envelope.message === 'string' ? envelope.message : code;
    const requestId = typeof envelope.request_id === 'string' ? envelope.request_id : headerId;
    return new RegistryResponseError(code, message, typeof envelope.hint === 'string' ? envelope.hint : '', {
      requestId,
      httpStatus: res.status,
      retryAfterMs,
      details: detailsOf(envelope.details),
    });
  }
  const fallback = BY_STATUS.get(res.status) ?? (res.status < 500 ? 'BadRequest' : 'StoreUnavailable');
  return new RegistryResponseError(
    fallback,
    `${what}: HTTP ${res.status} without a registry error envelope`,
    'check that baseUrl points at a registry (SPEC §5)',
    { requestId: headerId, httpStatus: res.status, retryAfterMs },
  );
}
