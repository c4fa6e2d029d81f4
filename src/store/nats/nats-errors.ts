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
