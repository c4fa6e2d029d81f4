import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS } from '../../../test/helpers/fixtures.js';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { RegistryClient } from '../../client/index.js';
import { exportLog } from './log-export.js';
import { verifyExport } from './log-import.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

/** A server whose `/log/checkpoint` (SPEC §13) answers `status` with `note`. */
function withCheckpoint(status: number, note: string): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.endsWith('/v1/registry/log/checkpoint')) return new Response(note, { status });
    return fetch(input, init);
  };
}

async function run(get: typeof fetch) {
  const client = new RegistryClient({ baseUrl: server.url, fetch: get });
  return exportLog({ client, token: undefined, pinned: GENESIS, now: () => 0, fetch: get });
}

describe('exportLog', () => {
  describe('when the server serves a checkpoint', () => {
    it('keeps it in the header, and the file still imports', async () => {
      const note = 'registry.example/log\n1\nAAAA\n\n— registry.example/log abcd\n';
      const { header, lines } = await run(withCheckpoint(200, note));
      expect(header).toMatchObject({
        registry_version: 1,
        checkpoint: note,
        exported_at: '1970-01-01T00:00:00.000Z',
      });
      const text = `${JSON.stringify(header)}\n${lines.join('\n')}\n`;
      expect(verifyExport(text, GENESIS).header.checkpoint).toBe(note);
    });

    it('refuses one ahead of the log it replayed', async () => {
      await expect(run(withCheckpoint(200, 'origin\n99\nAAAA\n'))).rejects.toThrow(/size 99/);
    });
  });

  describe('when the checkpoint cannot be read', () => {
    it('omits it on a 404 (no transparency log) and fails on anything else', async () => {
      expect((await run(withCheckpoint(404, ''))).header.checkpoint).toBeUndefined();
      await expect(run(withCheckpoint(500, ''))).rejects.toThrowRegistryError('StoreUnavailable');
    });
  });
});
