/**
 * Child process of bench/startup.ts: one cold start on the store at argv[3], then one JSON line.
 * `engine`: `openLevelStore` + `Registry.open` until the snapshot is ready (SPEC §10).
 * `scan`: the bare baseline, `level` opened and one sequential scan of every `desc/` value.
 * `performance.now()` counts from the process's time origin, so `sinceStartMs` is process
 * start to ready; `scriptMs` is when this module began (node plus the tsx loader before it).
 */
import { Level } from 'level';
import { Registry } from '../src/registry/index.js';
import { openLevelStore } from '../src/store/index.js';

const scriptMs = performance.now();
const [mode, path] = process.argv.slice(2);
if (path === undefined || (mode !== 'engine' && mode !== 'scan')) {
  throw new Error('usage: startup-child engine|scan <db path>');
}

let items = 0;
let close: () => Promise<void>;
const t0 = performance.now();
if (mode === 'engine') {
  const registry = await Registry.open(await openLevelStore(path));
  items = registry.snapshot.heads.size;
  close = () => registry.close();
} else {
  const db = new Level<string, Uint8Array>(path, { valueEncoding: 'view' });
  await db.open();
  for await (const v of db.values({ gte: 'desc/', lt: 'desc0' })) if (v.byteLength > 0) items++;
  close = () => db.close();
}
const openMs = performance.now() - t0;
const sinceStartMs = performance.now();
const { rss, heapUsed } = process.memoryUsage();
process.stdout.write(`${JSON.stringify({ mode, items, openMs, sinceStartMs, scriptMs, rss, heapUsed })}\n`);
await close();
