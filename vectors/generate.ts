/**
 * Signed test vectors for the registry (SPEC §2, §3). `npm run vectors` rewrites
 * vectors/*.json; `generateVectors()` returns the same files as text, so vectors.test.ts
 * checks the committed files byte for byte.
 *
 * !!! TEST ONLY !!! Every key is derived from a PUBLIC, FIXED seed
 * (sha256("registry test-only signer N"), see test-keys.ts); anyone can recompute the
 * secret keys. They must NEVER be put in a SIGNER_ALLOWLIST, a governance descriptor or
 * any trust root of a real registry.
 *
 * Everything is fixed (seeds, timestamps, key order) and ed25519 signing is deterministic
 * (RFC 8032), so two runs give identical bytes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hex } from './build.js';
import { buildChain, buildValid } from './chain.js';
import { invalidKit } from './invalid-kit.js';
import { payloadVectors } from './invalid-payload.js';
import { signatureVectors } from './invalid-signatures.js';
import { FORMAT, TEST_KEYS, TEST_ONLY_COMMENT, testSeedText } from './test-keys.js';
import type { Vector, VectorFile } from './vector.types.js';

function file(vectors: readonly Vector[]): string {
  const f: VectorFile = { _comment: TEST_ONLY_COMMENT, format: FORMAT, vectors };
  return `${JSON.stringify(f, null, 2)}\n`;
}

function keysFile(): string {
  const keys = TEST_KEYS.map(([n, k]) => ({
    n,
    seed_text: testSeedText(n),
    seed_hex: hex(k.secretKey),
    public_key_hex: hex(k.publicKey),
    signer_id: k.signerId,
  }));
  const f = {
    _comment: TEST_ONLY_COMMENT,
    format: FORMAT,
    roles: {
      genesis: 'keys 1, 2, 3; threshold 2',
      rotation: 'governance v2: keys 2, 3, 4, 5; threshold 3 (key 1 removed)',
      outsider: 'key 9 is never allow-listed',
    },
    keys,
  };
  return `${JSON.stringify(f, null, 2)}\n`;
}

function buildInvalid(chain: ReturnType<typeof buildChain>): Vector[] {
  const kit = invalidKit(chain);
  signatureVectors(kit, chain);
  payloadVectors(kit, chain);
  return kit.out;
}

/** Every vector file as text, keyed by file name (relative to vectors/). */
export function generateVectors(): Record<string, string> {
  const chain = buildChain();
  return {
    'keys.json': keysFile(),
    'chain.json': file(chain.vectors),
    'valid.json': file(buildValid(chain)),
    'invalid.json': file(buildInvalid(chain)),
  };
}

function main(): void {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  for (const [name, text] of Object.entries(generateVectors())) {
    writeFileSync(`${dir}${name}`, text);
    console.log(`wrote vectors/${name}`);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
