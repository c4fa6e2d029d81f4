import { isRegistryError } from '../../core/index.js';
import { clientOf } from '../client-of.js';
import type { CommandSpec } from '../command.types.js';

/**
 * `registry status`, as `etcdctl endpoint status`: readiness, version and the governance in
 * force in one look. Exit 0 when ready, 1 when the registry answers but is not ready.
 */
export const status: CommandSpec = {
  name: 'status',
  summary: 'Show readiness, registry version and the governance in force (exit 1 when not ready).',
  help: '',
  options: {},
  network: true,
  async run(ctx) {
    const { out } = ctx;
    const client = clientOf(ctx);
    const ready = await client.ready();
    const version = ready.ready ? await client.version() : undefined;
    let governance: { signers: readonly string[]; threshold: number; version: number } | undefined;
    try {
      const g = (await client.get('governance')).descriptor;
      const body = g.body as { signers: readonly string[]; threshold: number };
      governance = { signers: body.signers, threshold: body.threshold, version: g.version };
    } catch (err) {
      // Not ready yet, or reads need a token this user lacks: status still reports readiness.
      if (!isRegistryError(err)) throw err;
    }
    const { ready: isReady, store, bus, writes, ...extra } = ready;
    if (out.json) {
      out.value({
        url: client.baseUrl,
        ready: isReady,
        store,
        bus,
        writes,
        version: version ?? null,
        governance: governance ?? null,
        ...extra,
      });
      return isReady ? 0 : 1;
    }
    out.line(`url         ${client.baseUrl}`);
    out.line(`ready       ${isReady ? 'yes' : 'no'} (store ${store}, bus ${bus}, writes ${writes})`);
    if (version !== undefined) out.line(`version     ${version}`);
    if (governance !== undefined) {
      out.line(
        `governance  v${governance.version}: ${governance.threshold} of ${governance.signers.length} signers`,
      );
      for (const s of governance.signers) out.line(`  ${s}`);
    }
    for (const [k, v] of Object.entries(extra))
      out.line(`${k.padEnd(10)}  ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    return isReady ? 0 : 1;
  },
};
