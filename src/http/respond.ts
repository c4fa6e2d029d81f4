import type { Context } from 'hono';
import { RegistryError } from '../core/index.js';
import type { AppDeps, AppEnv } from './app.types.js';
import { envelopeOf, toRegistryError } from './envelope.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/** The SPEC §5 envelope response for any error; the only place errors become HTTP. */
export function errorResponse(
  c: Context<AppEnv>,
  thrown: unknown,
  deps: Pick<AppDeps, 'now' | 'logger'>,
  extra: Record<string, string> = {},
): Response {
  const err = toRegistryError(thrown);
  c.set('errorCode', err.code);
  if (!(thrown instanceof RegistryError)) {
    // Not a refusal but a defect: keep the stack for the operator (no secrets: never headers).
    deps.logger.error({ err: thrown, request_id: c.get('requestId') }, 'unhandled error');
  }
  const headers: Record<string, string> = { 'content-type': JSON_TYPE, ...extra };
  // SPEC §5: a retryable refusal that knows when a retry can succeed says so (429 over the
  // write rate, 503 while this instance's view catches up with the cluster's stream).
  if (err.retryable && err.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(err.retryAfterSeconds);
  }
  const body = JSON.stringify(envelopeOf(err, c.get('requestId'), deps.now()));
  return c.body(body, err.status as 400, headers);
}

export function json(
  c: Context<AppEnv>,
  value: unknown,
  status: 200 | 202 = 200,
  extra?: Record<string, string>,
) {
  return c.body(JSON.stringify(value), status, { 'content-type': JSON_TYPE, ...extra });
}

export { JSON_TYPE, RegistryError };
