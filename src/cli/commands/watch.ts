import { setTimeout as sleep } from 'node:timers/promises';
import type { WatchItem } from '../../client/index.js';
import { isRegistryError } from '../../core/index.js';
import { clientOf } from '../client-of.js';
import type { CommandSpec, Output } from '../command.types.js';
import { UsageError } from '../usage-error.js';
import { flag, optInt, optString } from '../values.js';

const ID_COLUMN = 40;

function print(out: Output, item: WatchItem): void {
  if (item.type === 'progress') {
    if (out.json) out.value({ type: 'progress', registry_version: item.registryVersion });
    else out.note(`# current at registry version ${item.registryVersion}`);
    return;
  }
  const e = item.event;
  if (out.json) {
    out.value(e);
    return;
  }
  const kind = e.type === 'registry.published' ? 'published ' : 'deprecated';
  out.line(
    // A stream has no widths to measure: the id column is padded to a fixed width so the
    // digests line up for ids up to 40 characters (longer ones push only their own line).
    `${String(item.seq).padStart(6)}  ${e.time}  ${kind}  ${`${e.subject} v${e.data.version}`.padEnd(ID_COLUMN)}  ${e.data.digest}`,
  );
}

export const watch: CommandSpec = {
  name: 'watch',
  summary:
    'Follow the event stream (GET /watch): one line per applied version, replayed from --since then live. Reconnects from the last seq after a broken connection; Ctrl-C ends it.',
  help: `  --since SEQ              start after this log seq (exclusive; default 0: from genesis)
  --count N                exit after N events
  --until-current          exit once the replay has caught up with the live head
  --prefix P               only events of ids starting with P (filtered by the server)
  --id ID                  only events of this one id`,
  options: {
    since: { type: 'string' },
    count: { type: 'string' },
    'until-current': { type: 'boolean' },
    prefix: { type: 'string' },
    id: { type: 'string' },
  },
  network: true,
  async run(ctx) {
    const { values, out } = ctx;
    let since = optInt(values, 'since') ?? 0;
    const count = optInt(values, 'count', 1);
    const untilCurrent = flag(values, 'until-current');
    const id = optString(values, 'id');
    const prefix = optString(values, 'prefix');
    if (id !== undefined && prefix !== undefined && !id.startsWith(prefix)) {
      throw new UsageError(`--id ${id} does not start with --prefix ${prefix}`, 'give one of them');
    }
    // An id is its own narrowest prefix: the server sends only its events and those of ids it prefixes.
    const serverPrefix = id ?? prefix;
    const client = clientOf(ctx);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let seen = 0;
    let connected = false;
    try {
      while (!stop.signal.aborted) {
        try {
          for await (const item of client.watch({
            since,
            signal: stop.signal,
            ...(serverPrefix === undefined ? {} : { prefix: serverPrefix }),
          })) {
            connected = true;
            if (item.type === 'event' && id !== undefined && item.event.subject !== id) {
              since = item.seq;
              continue;
            }
            print(out, item);
            if (item.type === 'event') {
              since = item.seq;
              seen++;
              if (count !== undefined && seen >= count) return 0;
            } else if (untilCurrent) {
              return 0;
            }
          }
          if (stop.signal.aborted) return 0;
          out.note(`# stream ended by the server; resuming after seq ${since}`);
        } catch (err) {
          // Before the first message a refusal or an unreachable server is the answer (exit 1).
          if (!connected || !isRegistryError(err, 'StoreUnavailable')) throw err;
          out.note(`# ${err.message}; resuming after seq ${since}`);
        }
        await sleep(1000, undefined, { signal: stop.signal }).catch(() => undefined);
      }
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
