import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Payload, type SigningKey, signingKeyFromSeed, signPayload } from '../../src/core/index.js';
import { Registry, type RegistryOptions } from '../../src/registry/index.js';
import { openLevelStore, openMemoryStore, type Store } from '../../src/store/index.js';

/** TEST ONLY keys from fixed seeds: never allow-list them anywhere real. */
export function testKey(n: number): SigningKey {
  const seed = new Uint8Array(32);
  seed.fill(n);
  seed[0] = 0x7e;
  return signingKeyFromSeed(seed);
}

export const KEYS = [1, 2, 3, 4, 5].map(testKey) as [
  SigningKey,
  SigningKey,
  SigningKey,
  SigningKey,
  SigningKey,
];

export const GENESIS = { signers: KEYS.slice(0, 3).map((k) => k.signerId), threshold: 2 };

export const NOW = 1_795_000_000_000;

export function servicePayload(
  id: string,
  version = 1,
  prev: string | null = null,
  extra: Partial<Payload> = {},
): Payload {
  return {
    id,
    version,
    kind: 'service',
    prev,
    ts: NOW,
    body: { name: id, region: 'us-east-1', endpoints: [{ addr: '10.0.0.7:443', tls: true, weight: 100 }] },
    ...extra,
  } as Payload;
}

export function proposalBody(payload: Payload, signers: readonly SigningKey[]) {
  return { descriptor: payload, signatures: signers.map((k) => signPayload(payload, k, NOW)) };
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix = 'registry-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export async function openTestRegistry(
  opts: RegistryOptions & { store?: Store } = {},
): Promise<{ registry: Registry; store: Store }> {
  const store = opts.store ?? (await openMemoryStore());
  const registry = await Registry.open(store, { genesis: GENESIS, now: () => NOW, ...opts });
  return { registry, store };
}

/** Proposes with the given signers and applies; returns the apply result. */
export async function publish(
  registry: Registry,
  payload: Payload,
  signers: readonly SigningKey[] = KEYS.slice(0, 2),
) {
  const { proposal_id } = await registry.propose(proposalBody(payload, signers));
  return registry.apply(proposal_id, 'test');
}

export { openLevelStore, openMemoryStore };
