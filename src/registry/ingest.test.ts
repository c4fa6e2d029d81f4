import { describe, expect, it } from 'vitest';
import { GENESIS, NOW, openMemoryStore, servicePayload } from '../../test/helpers/fixtures.js';
import { canonicalJson, digestOf, genesisPayload, type Payload, signingBytes } from '../core/index.js';
import type { LogEntry } from '../store/index.js';
import { mirrorMode } from './local-mode.js';
import { Registry } from './registry.js';

/** SPEC §11 engine side: what `Registry.ingest` itself refuses, whatever the caller verified. */
function item(payload: Payload, seq: number, over: Partial<LogEntry> = {}) {
  const digest = digestOf(signingBytes(payload));
  const log: LogEntry = {
    seq,
    type: 'published',
    descriptor_id: payload.id,
    version: payload.version,
    digest,
    ts: NOW,
    applied_by: 'mirror',
    ...over,
  };
  return { log, bytes: Buffer.from(canonicalJson({ ...payload, signatures: [] })), payload };
}

describe('Registry.ingest', () => {
  it('appends with the given seq and log entry, and refuses a wrong seq, digest or version', async () => {
    const r = await Registry.open(await openMemoryStore(), { genesis: GENESIS, mode: mirrorMode });
    expect(r.version).toBe(0);
    const g = genesisPayload(GENESIS, NOW);
    await r.ingest(item(g, 1, { applied_by: 'genesis' }));
    const a = servicePayload('svc-a');
    await expect(r.ingest(item(a, 3))).rejects.toThrowRegistryError('StaleVersion');
    await expect(r.ingest(item(a, 2, { digest: 'f'.repeat(64) }))).rejects.toThrowRegistryError('BadRequest');
    await expect(r.ingest(item(servicePayload('svc-a', 2, 'e'.repeat(64)), 2))).rejects.toThrowRegistryError(
      'StaleVersion',
    );
    const done = await r.ingest(item(a, 2, { ts: NOW + 7 }));
    expect(done).toMatchObject({ version: 2, descriptor_id: 'svc-a', descriptor_version: 1 });
    expect(await r.store.log(0, 10)).toMatchObject([
      { seq: 1, applied_by: 'genesis' },
      { seq: 2, ts: NOW + 7 },
    ]);
    expect(r.head('svc-a').version).toBe(1);
    await r.close();
  });
});
