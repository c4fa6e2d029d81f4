import { Writable } from 'node:stream';
import { parseConfig } from '../../src/cli/config.js';
import { type Running, serve } from '../../src/cli/serve.js';
import { mintToken, type Scope } from '../../src/http/capability.js';
import { GENESIS, tempDir } from './fixtures.js';

/** TEST ONLY macaroon root key. */
export const ROOT_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

export interface TestServer {
  readonly url: string;
  readonly running: Running;
  /** Everything the server logged, as text. */
  readonly logs: () => string;
  token(
    scopes: readonly Scope[],
    opts?: { idPrefix?: string; kinds?: string[]; identifier?: string; ttlMs?: number },
  ): string;
  stop(): Promise<void>;
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dir = tempDir();
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const config = parseConfig({
    MACAROON_ROOT_KEY: ROOT_KEY,
    SIGNER_ALLOWLIST: GENESIS.signers.join(','),
    SIG_THRESHOLD: String(GENESIS.threshold),
    REGISTRY_DB: dir.path,
    BIND: '127.0.0.1:0',
    LOG_LEVEL: 'debug',
    ...env,
  });
  const running = await serve(config, { logDestination: sink });
  return {
    url: running.url,
    running,
    logs: () => chunks.join(''),
    token: (scopes, opts = {}) =>
      mintToken(ROOT_KEY, {
        identifier: opts.identifier ?? 'test-token',
        scopes,
        ...(opts.idPrefix === undefined ? {} : { idPrefix: opts.idPrefix }),
        ...(opts.kinds === undefined ? {} : { kinds: opts.kinds }),
        ...(opts.ttlMs === undefined ? {} : { ttlMs: opts.ttlMs }),
      }),
    async stop() {
      await running.stop();
      dir.cleanup();
    },
  };
}

export const ALL_SCOPES: readonly Scope[] = ['registry:read', 'registry:propose', 'registry:apply'];
