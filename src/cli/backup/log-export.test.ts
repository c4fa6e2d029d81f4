import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS, KEYS, servicePayload } from '../../../test/helpers/fixtures.js';
import { ALL_SCOPES, startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { RegistryClient } from '../../client/index.js';
import { signPayload } from '../../core/index.js';
import {
  encodeBundle,
  leafHash,
  logLeaf,
  noteSigner,
  referenceRoot,
  signCheckpoint,
} from '../../core/tlog/index.js';
import { exportLog } from './log-export.js';
import { verifyExport } from './log-import.js';

const ORIGIN = 'registry.test/log';
let server: TestServer;
/** The SPEC §13 leaves of the server's log, as a transparency log would serve them. */
let leaves: Uint8Array[];

beforeAll(async () => {
  server = await startTestServer();
  const token = server.token(ALL_SCOPES, { identifier: 'ci-bot' });
  const client = new RegistryClient({ baseUrl: server.url, token });
  for (const id of ['svc-a', 'svc-b']) {
    const p = servicePayload(id, 1, null, { ts: Date.now() });
    const s = await client.propose(
      p,
      [KEYS[0], KEYS[1]].map((k) => signPayload(p, k, Date.now())),
    );
    await client.apply(s.proposal_id);
  }
  // Built from a plain export (no checkpoint yet): the entries with the applied_by a log stores.
  const plain = await run(serving(404, ''));
  leaves = plain.lines.map((l) => {
    const { descriptor, ...entry } = JSON.parse(l) as { seq: number; descriptor: unknown };
    return logLeaf({ ...entry, applied_by: entry.seq === 1 ? 'genesis' : 'ci-bot' }, descriptor);
  });
});
afterAll(async () => {
  await server.stop();
});

function checkpointOf(size: number, root = referenceRoot(leaves.slice(0, size).map(leafHash))): string {
  return signCheckpoint(
    { origin: ORIGIN, size, rootHash: root, extensions: [] },
    noteSigner(ORIGIN, KEYS[4]),
  );
}

/** The server, plus `/log/checkpoint` answering `status` with `note` and the entry bundles of `bundle`. */
function serving(status: number, note: string, bundle: readonly Uint8Array[] = leaves): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.endsWith('/v1/registry/log/checkpoint')) return new Response(note, { status });
    const m = /\/v1\/registry\/log\/tile\/entries\/000(?:\.p\/([0-9]+))?$/.exec(url);
    if (m !== null) return new Response(encodeBundle(bundle.slice(0, Number(m[1] ?? 256))));
    return fetch(input, init);
  };
}

async function run(get: typeof fetch) {
  const client = new RegistryClient({ baseUrl: server.url, fetch: get });
  return exportLog({ client, token: undefined, pinned: GENESIS, now: () => 0, fetch: get });
}

const fileOf = (e: { header: unknown; lines: readonly string[] }) =>
  `${JSON.stringify(e.header)}\n${e.lines.join('\n')}\n`;

describe('exportLog', () => {
  describe('when the server has a transparency log (SPEC §13)', () => {
    it('exports the checkpoint tree with applied_by from the leaves, and import rebuilds its root', async () => {
      const note = checkpointOf(3);
      const e = await run(serving(200, note));
      expect(e.header).toMatchObject({
        registry_version: 3,
        checkpoint: note,
        exported_at: '1970-01-01T00:00:00.000Z',
      });
      expect(e.lines.map((l) => JSON.parse(l).applied_by)).toEqual(['genesis', 'ci-bot', 'ci-bot']);
      const v = verifyExport(fileOf(e), GENESIS);
      expect(v.items.map((i) => i.log.applied_by)).toEqual(['genesis', 'ci-bot', 'ci-bot']);
    });

    it('stops at the checkpoint: the copy is exactly the tree it signs', async () => {
      const e = await run(serving(200, checkpointOf(2)));
      expect(e.header.registry_version).toBe(2);
      expect(e.lines).toHaveLength(2);
      expect(verifyExport(fileOf(e), GENESIS).items).toHaveLength(2);
    });

    it('refuses a leaf that is not the entry /watch served, and a checkpoint of another root', async () => {
      const forged = logLeaf({ seq: 2, applied_by: 'x' }, {});
      await expect(
        run(serving(200, checkpointOf(3), [leaves[0] as Uint8Array, forged, leaves[2] as Uint8Array])),
      ).rejects.toThrow(/leaf of seq 2 is not the logged entry/);
      await expect(run(serving(200, checkpointOf(3, new Uint8Array(32))))).rejects.toThrow(
        /checkpoint's root/,
      );
    });

    it('an import refuses an applied_by edited in the file (the root no longer matches)', async () => {
      const e = await run(serving(200, checkpointOf(3)));
      const edited = fileOf(e).replace('"applied_by":"ci-bot"', '"applied_by":"someone-else"');
      expect(() => verifyExport(edited, GENESIS)).toThrow(/checkpoint's root/);
      const dropped = fileOf(e).replace(',"applied_by":"ci-bot"', '');
      expect(() => verifyExport(dropped, GENESIS)).toThrow(/no applied_by/);
    });
  });

  describe('when the checkpoint cannot be read', () => {
    it('omits it on a 404 (no transparency log) and fails on anything else', async () => {
      const e = await run(serving(404, ''));
      expect(e.header.checkpoint).toBeUndefined();
      expect(e.lines.some((l) => l.includes('applied_by'))).toBe(false);
      await expect(run(serving(500, ''))).rejects.toThrowRegistryError('StoreUnavailable');
      await expect(run(serving(200, 'not a note'))).rejects.toThrowRegistryError('BadRequest');
    });
  });
});
