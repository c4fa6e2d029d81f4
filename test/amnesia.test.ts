/**
 * SPEC §8 amnesia: an in-memory registry creates no file anywhere, and a zero-filling close
 * overwrites the buffers that held descriptors.
 */

import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryLevel } from 'memory-level';
import { afterEach, describe, expect, it } from 'vitest';
import type { Payload } from '../src/core/index.js';
import { type Db, Store } from '../src/store/index.js';
import {
  KEYS,
  openTestRegistry,
  proposalBody,
  publish,
  servicePayload,
  tempDir,
} from './helpers/fixtures.js';
import { runTsChild } from './helpers/run-child.js';

const CHILD = fileURLToPath(new URL('fixtures/amnesia-child.ts', import.meta.url));

const dirs: Array<() => void> = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d();
});

/** Every file and directory under `dir`, recursively. */
function contents(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

const run = (cwd: string, env: NodeJS.ProcessEnv) => runTsChild(CHILD, cwd, env);

const zero = (b: Uint8Array) => b.every((x) => x === 0);

describe('amnesia (SPEC §8)', () => {
  describe('a process on openMemoryStore', () => {
    it('leaves its cwd, HOME and TMPDIR empty', async () => {
      const root = tempDir('registry-amnesia-');
      dirs.push(root.cleanup);
      const [cwd, home, tmp] = ['cwd', 'home', 'tmp'].map((d) => join(root.path, d)) as [
        string,
        string,
        string,
      ];
      for (const d of [cwd, home, tmp]) mkdirSync(d);
      // A minimal environment: nothing inherited may point the process at another directory.
      // tsx's transform cache would land in TMPDIR; it is the test harness's, not the registry's.
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: home,
        TMPDIR: tmp,
        TMP: tmp,
        TEMP: tmp,
        TSX_DISABLE_CACHE: '1',
      };
      const r = await run(cwd, env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ version: 5, zeroed: true });
      expect({ cwd: contents(cwd), home: contents(home), tmp: contents(tmp) }).toEqual({
        cwd: [],
        home: [],
        tmp: [],
      });
    });
  });

  describe('close({ zeroFill: true })', () => {
    it('zero-fills the bytes previously returned by head(id), at(id, n) and regionMap()', async () => {
      const { registry } = await openTestRegistry();
      const a1 = await publish(registry, servicePayload('svc-a'));
      const a2 = await publish(registry, servicePayload('svc-a', 2, a1.digest));
      await publish(registry, servicePayload('svc-b'));
      await publish(registry, {
        id: 'regions',
        version: 1,
        kind: 'region_map',
        prev: null,
        ts: a2.version,
        body: {
          regions: {
            'us-east-1': { services: [{ id: 'svc-a', addr: '10.0.0.7:443', tls: true, weight: 1 }] },
          },
        },
      } as Payload);
      const held = [
        registry.head('svc-a').bytes,
        registry.head('svc-b').bytes,
        registry.head('governance').bytes,
        (await registry.at('svc-a', 1)).bytes,
        registry.regionMap(),
      ];
      expect(held.some(zero)).toBe(false);
      await registry.close({ zeroFill: true });
      expect(held.map(zero)).toEqual(held.map(() => true));
    });

    it('zero-fills every value the memory store held: old versions out of the cache, pending proposals', async () => {
      // Bug found by this test: versions evicted from the read cache and pending proposals
      // (payload + signatures) stayed readable in memory-level after a zero-filling close.
      const db = new MemoryLevel<string, Uint8Array>({
        keyEncoding: 'utf8',
        valueEncoding: 'view',
        storeEncoding: 'view',
      });
      const store = new Store(db as unknown as Db, false);
      await store.open();
      const { registry } = await openTestRegistry({ store, readCacheCap: 1 });
      let prev = (await publish(registry, servicePayload('svc-a'))).digest;
      for (let v = 2; v <= 5; v++) prev = (await publish(registry, servicePayload('svc-a', v, prev))).digest;
      await registry.propose(proposalBody(servicePayload('svc-pending'), [KEYS[0]]));
      // memory-level (view encoding) hands out the very arrays it stores.
      const held = await db.iterator().all();
      expect(held.filter(([k]) => k.startsWith('prop/'))).toHaveLength(1);
      await registry.close({ zeroFill: true });
      expect(held.filter(([, v]) => !zero(v)).map(([k]) => k)).toEqual([]);
    });
  });
});
