import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { badRequest } from '../core/index.js';
import type { Registry, StreamItem } from '../registry/index.js';
import type { LogEntry } from '../store/index.js';
import type { AppDeps, AppEnv } from './app.types.js';
import { assertWatchPrefix, authenticate, canRead, engine, isScoped } from './guard.js';
import { BASE } from './routes.js';

/** SPEC §6: idle streams get a progress note this often (also the keep-alive). */
export const PROGRESS_MS = 15_000;

/** The CloudEvents 1.0 JSON of one log entry (SPEC §6). */
export function cloudEvent(e: LogEntry): string {
  return JSON.stringify({
    specversion: '1.0',
    id: String(e.seq),
    source: BASE,
    type: `registry.${e.type}`,
    subject: e.descriptor_id,
    time: new Date(e.ts).toISOString(),
    datacontenttype: 'application/json',
    data: {
      descriptor_id: e.descriptor_id,
      version: e.version,
      digest: e.digest,
      ts: e.ts,
      registry_version: e.seq,
    },
  });
}

/** An id's kind (immutable across its versions); undefined for an id the view does not hold yet. */
function kindOf(r: Registry, id: string): string | undefined {
  try {
    return r.head(id).kind;
  } catch {
    return undefined;
  }
}

function parseSeq(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^[0-9]{1,16}$/.test(raw.trim())) throw badRequest(name, 'must be a non-negative integer seq');
  return Number(raw.trim());
}

export function watchRoute(app: Hono<AppEnv>, deps: AppDeps, progressMs = PROGRESS_MS): void {
  app.get(`${BASE}/watch`, (c) => {
    const cap = authenticate(c, deps, 'registry:read');
    const r = engine(deps);
    const prefix = c.req.query('prefix') || undefined;
    assertWatchPrefix(cap, prefix);
    // SPEC §7: a scoped token (or ?prefix=) sees only matching events; seqs then have gaps.
    const wanted =
      prefix === undefined && !isScoped(cap)
        ? undefined
        : (id: string) => (prefix === undefined || id.startsWith(prefix)) && canRead(cap, id, kindOf(r, id));
    // Both exclusive; the header wins when both are sent (SPEC §6).
    const since =
      parseSeq(c.req.header('last-event-id'), 'Last-Event-ID') ??
      parseSeq(c.req.query('since'), 'since') ??
      0;
    const sub = r.subscribe(since);
    c.header('x-accel-buffering', 'no');
    c.header('cache-control', 'no-cache');
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => sub.close());
      const it = sub[Symbol.asyncIterator]();
      let pending: Promise<IteratorResult<StreamItem>> | undefined;
      try {
        while (!stream.aborted) {
          pending ??= it.next();
          let timer: NodeJS.Timeout | undefined;
          const idle = new Promise<'idle'>((resolve) => {
            timer = setTimeout(() => resolve('idle'), progressMs);
          });
          const next = await Promise.race([pending, idle]);
          clearTimeout(timer);
          if (next === 'idle') {
            await stream.writeSSE({
              event: 'progress',
              data: JSON.stringify({ registry_version: r.version }),
            });
            continue;
          }
          pending = undefined;
          if (next.done === true) break;
          const item = next.value;
          if (item.kind === 'caught-up') {
            await stream.writeSSE({
              event: 'progress',
              data: JSON.stringify({ registry_version: item.version }),
            });
          } else if (wanted === undefined || wanted(item.entry.descriptor_id)) {
            await stream.writeSSE({
              id: String(item.entry.seq),
              event: item.entry.type,
              data: cloudEvent(item.entry),
            });
          }
        }
      } finally {
        sub.close();
        await it.return?.();
      }
    });
  });
}
