import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from 'level';
import { afterEach, describe, expect, it } from 'vitest';
import { openLevelStore, openMemoryStore } from '../src/store/index.js';
import { tempDir } from './helpers/fixtures.js';
import { storeSuite } from './store.suite.js';

const dirs: Array<() => void> = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d();
});

function levelPath(): string {
  const d = tempDir();
  dirs.push(d.cleanup);
  return d.path;
}

storeSuite('level', () => openLevelStore(levelPath()));
storeSuite('memory-level', () => openMemoryStore());

describe('level store', () => {
  describe('when meta/schema is newer than this release', () => {
    it('refuses to open, naming the schema', async () => {
      const path = levelPath();
      const db = new Level(path);
      await db.put('meta/schema', '2');
      await db.close();
      await expect(openLevelStore(path)).rejects.toThrow(/meta\/schema is "2".*refusing to start/);
    });
  });

  describe('when the directory holds data but no meta/schema', () => {
    it('refuses to open', async () => {
      const path = levelPath();
      const db = new Level(path);
      await db.put('something', 'else');
      await db.close();
      await expect(openLevelStore(path)).rejects.toThrow(/no meta\/schema/);
    });
  });

  it('keeps appended data across a reopen', async () => {
    const path = levelPath();
    const s = await openLevelStore(path);
    await s.append([
      {
        log: {
          seq: 1,
          type: 'published',
          descriptor_id: 'a',
          version: 1,
          digest: 'a',
          ts: 1,
          applied_by: 't',
        },
        bytes: new TextEncoder().encode('{}'),
        proposalId: null,
        regions: null,
      },
    ]);
    await s.close();
    const again = await openLevelStore(path);
    expect(await again.version()).toBe(1);
    await again.close();
  });

  describe('when the database cannot be opened', () => {
    it('reports StoreUnavailable', async () => {
      const path = levelPath();
      writeFileSync(join(path, 'file'), '');
      await expect(openLevelStore(join(path, 'file', 'db'))).rejects.toThrowRegistryError('StoreUnavailable');
    });
  });
});
