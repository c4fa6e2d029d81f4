/**
 * !!! TEST ONLY !!! Keys derived from PUBLIC, FIXED seeds: sha256("registry test-only signer N").
 * Anyone can recompute the secret keys. NEVER put any of these signer_ids in a
 * SIGNER_ALLOWLIST, a governance descriptor or any trust root of a real registry.
 */
import { createHash } from 'node:crypto';
import { type SigningKey, signingKeyFromSeed } from '../src/core/index.js';

export const TEST_ONLY_COMMENT =
  'TEST ONLY. These vectors are signed with keys derived from public fixed seeds ' +
  '(sha256("registry test-only signer N")); anyone can recompute the secret keys. ' +
  'NEVER allow-list any of these signer_ids in a real registry. Regenerate with `npm run vectors`; see vectors/README.md.';

export const FORMAT = 'registry-vectors/v1';

// Fixed clock: genesis at BASE_TS, every vector checked at NOW (Unix ms).
export const BASE_TS = 1_795_000_000_000;
export const NOW = BASE_TS + 86_400_000;
export const MINUTE = 60_000;
/** SPEC §2: ts more than 5 minutes after `now` is refused. */
export const MAX_SKEW = 5 * MINUTE;

/** The seed text of TEST-ONLY key `n`. */
export function testSeedText(n: number): string {
  return `registry test-only signer ${n}`;
}

/** TEST-ONLY signing key `n`: seed = sha256("registry test-only signer N"). */
export function testKey(n: number): SigningKey {
  return signingKeyFromSeed(new Uint8Array(createHash('sha256').update(testSeedText(n)).digest()));
}

// Keys 1-3: genesis signers; 4-5 join at the rotation (which keeps 2-3 and drops 1);
// 9: never allow-listed anywhere.
export const TEST_KEYS = [1, 2, 3, 4, 5, 9].map((n) => [n, testKey(n)] as const);
export const key = (n: number): SigningKey => {
  const found = TEST_KEYS.find(([m]) => m === n);
  if (found === undefined) throw new Error(`no test key ${n}`);
  return found[1];
};

export const GENESIS_THRESHOLD = 2;
export const ROTATED_SIGNERS = [2, 3, 4, 5];
export const ROTATED_THRESHOLD = 3;

export const SERVICE_ID = 'svc-storage@us-east-1';
