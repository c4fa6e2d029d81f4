import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  canonicalJson,
  type Descriptor,
  digestOf,
  type Payload,
  payloadOf,
  type SigningKey,
  signingBytes,
  signPayload,
} from '../../src/core/index.js';
import { GENESIS, NOW } from './fixtures.js';

/**
 * A registry impostor for watcher tests: a tiny node:http server that serves `/watch` and
 * `/descriptors/{id}/versions/{n}` from a canned log the test builds with real signatures,
 * so each test can slip in exactly one forgery (bad signature, unknown signer, rollback,
 * seq gap, rotation without quorum) and check the watcher refuses it.
 */

export interface CannedEntry {
  readonly seq: number;
  readonly descriptor: Descriptor;
  /** Overrides of the CloudEvents `data` (e.g. a digest that is not the served one). */
  readonly data?: Partial<{ descriptor_id: string; version: number; digest: string }>;
}

export function signed(payload: Payload, keys: readonly SigningKey[]): Descriptor {
  return { ...payload, signatures: keys.map((k) => signPayload(payload, k, NOW)) } as Descriptor;
}

export function digest(d: Descriptor): string {
  return digestOf(signingBytes(payloadOf(d)));
}

export const genesisDescriptor = (body = GENESIS): Descriptor =>
  ({
    id: 'governance',
    version: 1,
    kind: 'governance',
    prev: null,
    ts: NOW,
    body,
    signatures: [],
  }) as Descriptor;

/** Entries numbered 1.. in order, unless an entry says otherwise. */
export function log(...descriptors: readonly Descriptor[]): CannedEntry[] {
  return descriptors.map((descriptor, i) => ({ seq: i + 1, descriptor }));
}

function sse(e: CannedEntry): string {
  const type = e.descriptor.deprecated === true ? 'deprecated' : 'published';
  const data = {
    descriptor_id: e.descriptor.id,
    version: e.descriptor.version,
    digest: digest(e.descriptor),
    ts: e.descriptor.ts,
    registry_version: e.seq,
    ...e.data,
  };
  const ce = {
    specversion: '1.0',
    id: String(e.seq),
    source: '/v1/registry',
    type: `registry.${type}`,
    subject: data.descriptor_id,
    time: new Date(e.descriptor.ts).toISOString(),
    datacontenttype: 'application/json',
    data,
  };
  return `id: ${e.seq}\nevent: ${type}\ndata: ${JSON.stringify(ce)}\n\n`;
}

export interface HostileRegistry {
  readonly url: string;
  /** How many `/watch` connections were opened. */
  readonly watches: () => number;
  /** Serves another canned log from now on and ends the open streams (clients reconnect). */
  replace(entries: readonly CannedEntry[]): void;
  close(): Promise<void>;
}

export async function startHostileRegistry(
  initial: readonly CannedEntry[],
  opts: { progress?: number } = {},
): Promise<HostileRegistry> {
  // The first descriptor registered under an id/version is the one served, in JCS form as a
  // registry serves it (SPEC §2).
  const served = new Map<string, string>();
  const load = (list: readonly CannedEntry[]) => {
    served.clear();
    for (const e of list) {
      const key = `${e.descriptor.id}/${e.descriptor.version}`;
      if (!served.has(key)) served.set(key, canonicalJson(e.descriptor));
    }
  };
  let entries = initial;
  load(entries);
  const streams = new Set<ServerResponse>();
  let watches = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/v1/registry/watch') {
      watches++;
      const since = Number(req.headers['last-event-id'] ?? url.searchParams.get('since') ?? 0);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      streams.add(res);
      res.on('close', () => streams.delete(res));
      // Index order, not seq order: a gap or a repeat is sent as canned.
      const first = entries.findIndex((e) => e.seq > since);
      const rest = first < 0 ? [] : entries.slice(first);
      for (const e of rest) res.write(sse(e));
      const head = opts.progress ?? entries.at(-1)?.seq ?? 0;
      res.write(`event: progress\ndata: ${JSON.stringify({ registry_version: head })}\n\n`);
      return; // left open, as a live stream
    }
    const m = /^\/v1\/registry\/descriptors\/([^/]+)\/versions\/([0-9]+)$/.exec(url.pathname);
    const body = m === null ? undefined : served.get(`${m[1]}/${m[2]}`);
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NotFound', message: 'no', hint: '', request_id: 'h-1' } }));
      return;
    }
    const d = JSON.parse(body) as Descriptor;
    res.writeHead(200, {
      'content-type': 'application/json',
      etag: `"${digest(d)}"`,
      'x-registry-version': '0',
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    watches: () => watches,
    replace(next) {
      entries = next;
      load(next);
      for (const res of streams) res.end();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
