import { JetStreamApiError } from '@nats-io/jetstream';
import { messageOf, RegistryError } from '../../core/index.js';

/** JetStream's answer to a publish whose expected last (subject) sequence is not the real one. */
const WRONG_LAST_SEQUENCE = 10071;

/** A lost compare-and-set: on the stream (publish) or on the proposal bucket (create, update). */
export function isCasConflict(err: unknown): boolean {
  if (err instanceof JetStreamApiError) return err.code === WRONG_LAST_SEQUENCE;
  // The KV client reports a create over an existing key as a plain error naming the sequence.
  return err instanceof Error && /wrong last sequence|key exists/i.test(err.message);
}

/** Any other NATS failure: retryable `StoreUnavailable`. */
export function unavailable(what: string, err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  return new RegistryError('StoreUnavailable', `NATS: failed to ${what}: ${messageOf(err)}`, undefined, {
    cause: err,
  });
}

/** nats.js error names of a request that got no (timely) answer: the cluster is busy or electing. */
const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'NoRespondersError',
  'RequestError',
  'ConnectionError',
  'JetStreamStatusError',
]);

/**
 * A NATS failure worth waiting out (start-up retries it, /readyz stays 503): no answer in
 * time, no responder, a stream or bucket whose Raft group has no leader yet, too few peers
 * up for its replicas (a node down). Measured on nats-server 2.9.10: two instances creating
 * the same stream at once get a timeout for one of the creates. Anything else (the stream
 * exists with another configuration, replicas a single server cannot hold, no permission)
 * is a configuration error: a retry meets it again.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof RegistryError) return err.code === 'StoreUnavailable';
  if (!(err instanceof Error)) return false;
  if (TRANSIENT_NAMES.has(err.name)) return true;
  if (err instanceof JetStreamApiError) {
    return err.status === 408 || err.status >= 500 || err.code === INSUFFICIENT_RESOURCES
      ? !CONFIG_CODES.has(err.code)
      : false;
  }
  return /timeout|timed out|no leader|no responders|temporarily unavailable|no suitable peers/i.test(
    err.message,
  );
}

/** JetStream's "insufficient resources": fewer servers up than the replicas asked for. */
const INSUFFICIENT_RESOURCES = 10023;
/** Answers a retry cannot change: replicas > 1 on a single server (10074), the stream exists with another configuration (10058). */
const CONFIG_CODES = new Set([10074, 10058]);

/** A start-up NATS failure that is not transient: exit 2 with one line. */
export function misconfigured(what: string, err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  return new RegistryError('BadRequest', `NATS: failed to ${what}: ${messageOf(err)}`, undefined, {
    cause: err,
  });
}
