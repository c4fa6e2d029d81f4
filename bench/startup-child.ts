/**
 * Child process of bench/startup.ts: one cold start on the store at argv[3], then one JSON line.
 * `engine`: `openLevelStore` + `Registry.open` until the snapshot is ready (SPEC §10).
 * `scan`: the bare baseline, `level` opened and one sequential scan of every `desc/` value.
 * `performance.now()` counts from the process's time origin, so `sinceStartMs` is process
 * start to ready; `scriptMs` is when this module began (node plus the tsx loader before it).
 */
import { readFileSync } from 'node:fs';
import { Level } from 'level';
import { Registry } from '../src/registry/index.js';
import { openLevelStore } from '../src/store/index.js';

const scriptMs = performance.now();
const [mode, path] = process.argv.slice(2);
if (path === undefined || (mode !== 'engine' && mode !== 'engine-full' && mode !== 'scan')) {
  throw new Error('usage: startup-child engine|engine-full|scan <db path>');
}

let items = 0;
let close: () => Promise<void>;
const t0 = performance.now();
if (mode === 'engine' || mode === 'engine-full') {
  // engine-full: no checkpoint, every head read from head/ + desc/ (the start after a crash
  // that left none, or the first start of an old store).
  const registry = await Registry.open(await openLevelStore(path), { checkpoints: mode === 'engine' });
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
// RSS split: anonymous memory vs file-backed pages (LevelDB maps its table files).
const status = readFileSync('/proc/self/status', 'utf8');
const kb = (k: string) =>
  Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
const rssAnon = kb('RssAnon');
const rssFile = kb('RssFile');
process.stdout.write(
  `${JSON.stringify({ mode, items, openMs, sinceStartMs, scriptMs, rss, rssAnon, rssFile, heapUsed })}\n`,
);
await close();
