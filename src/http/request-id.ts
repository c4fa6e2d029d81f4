import { randomBytes } from 'node:crypto';

const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;
// A per-process random prefix plus a counter: unique without a syscall per request.
const PREFIX = `r-${randomBytes(4).toString('hex')}-`;
let counter = 0;

/** SPEC §5: every response carries X-Request-Id; a well-formed incoming one is kept. */
export function requestIdFor(incoming: string | null | undefined): string {
  if (incoming !== null && incoming !== undefined && WELL_FORMED.test(incoming)) return incoming;
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return PREFIX + counter.toString(36);
}
