import type { ListItem } from '../../client/index.js';
import { KINDS } from '../../core/index.js';
import { clientOf } from '../client-of.js';
import type { CommandSpec } from '../command.types.js';
import { UsageError } from '../usage-error.js';
import { optInt, optString } from '../values.js';

export const list: CommandSpec = {
  name: 'list',
  summary: 'List descriptor heads by id (every page, unless --limit).',
  help: `  --kind K                 service, node, region_map or governance
  --prefix P               ids starting with P
  --limit N                at most N heads`,
  options: { kind: { type: 'string' }, prefix: { type: 'string' }, limit: { type: 'string' } },
  network: true,
  async run(ctx) {
    const { values, out } = ctx;
    const kindRaw = optString(values, 'kind');
    const kind = KINDS.find((k) => k === kindRaw);
    if (kindRaw !== undefined && kind === undefined) {
      throw new UsageError(`--kind ${JSON.stringify(kindRaw)}`, `one of ${KINDS.join(', ')}`);
    }
    const prefix = optString(values, 'prefix');
    const limit = optInt(values, 'limit', 1);
    const items: ListItem[] = [];
    const pageSize = Math.min(limit ?? 1000, 1000);
    for await (const item of clientOf(ctx).listAll({
      ...(kind === undefined ? {} : { kind }),
      ...(prefix === undefined ? {} : { prefix }),
      limit: pageSize,
    })) {
      items.push(item);
      if (limit !== undefined && items.length >= limit) break;
    }
    if (out.json) {
      out.value(items);
      return 0;
    }
    const width = Math.max(2, ...items.map((i) => i.id.length));
    out.line(`${'ID'.padEnd(width)}  VERSION  KIND        DIGEST        DEPRECATED`);
    for (const i of items) {
      out.line(
        `${i.id.padEnd(width)}  ${String(i.version).padEnd(7)}  ${i.kind.padEnd(10)}  ${i.digest.slice(0, 12)}  ${i.deprecated ? 'yes' : ''}`.trimEnd(),
      );
    }
    return 0;
  },
};
