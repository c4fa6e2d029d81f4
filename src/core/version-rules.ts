import type { HeadRef, Payload } from './descriptor.types.js';
import { badRequest, RegistryError } from './errors.js';

/**
 * SPEC §2: a new version must extend the head exactly: version = head + 1 and prev = the
 * head's digest (null and version 1 for a new id). Deprecation is just another version.
 */
export function assertExtends(payload: Payload, head: HeadRef | undefined): void {
  if (head === undefined) {
    if (payload.version !== 1) {
      throw new RegistryError(
        'StaleVersion',
        `${payload.id} has no head: version must be 1, got ${payload.version}`,
      );
    }
    return;
  }
  if (payload.version !== head.version + 1) {
    throw new RegistryError(
      'StaleVersion',
      `${payload.id} is at version ${head.version}: version must be ${head.version + 1}, got ${payload.version}`,
    );
  }
  if (payload.prev !== head.digest) {
    throw new RegistryError(
      'StaleVersion',
      `${payload.id} prev ${payload.prev} is not the digest of head version ${head.version} (${head.digest})`,
    );
  }
  // An id names one thing for its whole history; a consumer keyed by id relies on its kind.
  if (payload.kind !== head.kind) {
    throw badRequest('descriptor.kind', `${payload.id} is a ${head.kind}; kind cannot change`);
  }
}
