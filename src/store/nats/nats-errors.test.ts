import { JetStreamApiError } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../core/index.js';
import { isCasConflict, isTransient, misconfigured, unavailable } from './nats-errors.js';

const api = (status: number, errCode: number, description = 'jetstream says no') =>
  new JetStreamApiError({ code: status, err_code: errCode, description });
const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });

describe('isCasConflict', () => {
  it('is a lost compare-and-set on the stream (10071) or a create over an existing key', () => {
    expect(isCasConflict(api(400, 10071, 'wrong last sequence: 4'))).toBe(true);
    expect(isCasConflict(api(400, 10058))).toBe(false);
    expect(isCasConflict(new Error('wrong last sequence: 7'))).toBe(true);
    expect(isCasConflict(new Error('key exists'))).toBe(true);
    expect(isCasConflict(new Error('permission denied'))).toBe(false);
    expect(isCasConflict('wrong last sequence')).toBe(false);
  });
});

describe('isTransient', () => {
  it('waits out timeouts, missing responders, elections and too few peers', () => {
    for (const n of [
      'TimeoutError',
      'NoRespondersError',
      'RequestError',
      'ConnectionError',
      'JetStreamStatusError',
    ]) {
      expect(isTransient(named(n)), n).toBe(true);
    }
    expect(isTransient(api(408, 1))).toBe(true);
    expect(isTransient(api(503, 10008))).toBe(true);
    expect(isTransient(api(400, 10023))).toBe(true); // insufficient resources: a node is down
    expect(isTransient(new Error('stream has no leader'))).toBe(true);
    expect(isTransient(new RegistryError('StoreUnavailable', 'down'))).toBe(true);
  });

  it('does not retry configuration errors, or anything that is not an Error', () => {
    expect(isTransient(api(500, 10074))).toBe(false); // replicas > 1 on a single server
    expect(isTransient(api(500, 10058))).toBe(false); // the stream exists with another configuration
    expect(isTransient(api(400, 10071))).toBe(false);
    expect(isTransient(new Error('permission denied'))).toBe(false);
    expect(isTransient(new RegistryError('BadRequest', 'another genesis'))).toBe(false);
    expect(isTransient('timeout')).toBe(false);
  });
});

describe('unavailable and misconfigured', () => {
  it('wrap a NATS failure as StoreUnavailable (retryable) or BadRequest (exit 2), keeping the cause', () => {
    const cause = new Error('boom');
    const u = unavailable('publish', cause);
    expect(u.code).toBe('StoreUnavailable');
    expect(u.message).toBe('NATS: failed to publish: boom');
    expect(u.cause).toBe(cause);
    const m = misconfigured('open the stream', cause);
    expect(m.code).toBe('BadRequest');
    expect(m.message).toBe('NATS: failed to open the stream: boom');
  });

  it('pass a RegistryError through unchanged', () => {
    const e = new RegistryError('NotFound', 'gone');
    expect(unavailable('x', e)).toBe(e);
    expect(misconfigured('x', e)).toBe(e);
  });
});
