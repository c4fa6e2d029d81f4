/**
 * The soak's HTTP client and writers. A writer owns one descriptor id and publishes its next
 * version again and again: propose (first signature), cosign (second: threshold 2), apply.
 * Any failure (refused connection, reset, 503 while the store loads) may or may not have
 * taken effect, so the writer re-reads its head from the server and continues from there;
 * only an apply answered 200 counts as acknowledged.
 */
import { Agent, request } from 'node:http';
import { digestOf, messageOf, type Payload, type Signature, signingBytes } from '../src/core/index.js';
import { NOW, servicePayload } from '../test/helpers/fixtures.js';

const API = '/v1/registry';

export interface Ack {
  readonly descriptor_id: string;
  readonly descriptor_version: number;
  /** The registry seq the apply answered. */
  readonly version: number;
  readonly digest: string;
}

interface Reply {
  readonly status: number;
  readonly body: string;
}

export interface Api {
  call(method: 'GET' | 'POST', path: string, body?: unknown, reader?: boolean): Promise<Reply>;
  /** A head read for the latency sample: true on a 200 with a body. */
  getHead(id: string): Promise<boolean>;
  version(): Promise<number>;
  close(): void;
}

export function httpApi(base: string, token: string): Api {
  // Readers get their own keep-alive sockets so a slow apply never queues a read behind it.
  const readAgent = new Agent({ keepAlive: true, maxSockets: 8 });
  const writeAgent = new Agent({ keepAlive: true, maxSockets: 16 });
  const call = (method: 'GET' | 'POST', path: string, body?: unknown, reader = false): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        new URL(path, base),
        {
          method,
          agent: reader ? readAgent : writeAgent,
          headers: {
            ...(method === 'POST' ? { authorization: `Bearer ${token}` } : {}),
            ...(data === undefined ? {} : { 'content-type': 'application/json' }),
          },
          timeout: 10_000,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(data);
    });
  return {
    call,
    async getHead(id) {
      try {
        const r = await call('GET', `${API}/descriptors/${encodeURIComponent(id)}`, undefined, true);
        return r.status === 200 && r.body.length > 0;
      } catch {
        return false;
      }
    },
    async version() {
      for (;;) {
        try {
          const r = await call('GET', `${API}/version`);
          if (r.status === 200) return (JSON.parse(r.body) as { version: number }).version;
        } catch {
          // Restarting: ask again.
        }
        await new Promise((res) => setTimeout(res, 100));
      }
    },
    close() {
      readAgent.destroy();
      writeAgent.destroy();
    },
  };
}

/** The digest of a stored descriptor (its bytes minus the signatures), or undefined. */
function digestOfBody(body: string): string {
  const { signatures: _, ...payload } = JSON.parse(body) as Record<string, unknown>;
  return digestOf(signingBytes(payload));
}

/** Digest of `id` at `version` as the server serves it; undefined when absent. */
export async function headDigest(api: Api, id: string, version: number): Promise<string | undefined> {
  const r = await api.call('GET', `${API}/descriptors/${encodeURIComponent(id)}/versions/${version}`);
  return r.status === 200 ? digestOfBody(r.body) : undefined;
}

export class Writer {
  errors = 0;
  #version = 1;
  #prev: string | null = null;
  #attempt = 0;

  constructor(
    readonly api: Api,
    readonly id: string,
    readonly signers: ReadonlyArray<(p: Payload) => Signature>,
    readonly acks: Ack[],
  ) {}

  /** One publish of the next version; throws on any failure. */
  async once(): Promise<void> {
    const [first, second] = this.signers;
    if (first === undefined || second === undefined) throw new Error('two signers needed');
    // A new ts per attempt: a retried version is a new proposal, never a replay of a stale one.
    const payload = servicePayload(this.id, this.#version, this.#prev, { ts: NOW + this.#attempt++ });
    const p = await this.#ok('POST', `${API}/proposals`, {
      descriptor: payload,
      signatures: [first(payload)],
    });
    const pid = encodeURIComponent(String(p.proposal_id));
    await this.#ok('POST', `${API}/proposals/${pid}/signatures`, { signatures: [second(payload)] });
    const r = await this.#ok('POST', `${API}/apply/${pid}`);
    const ack: Ack = {
      descriptor_id: String(r.descriptor_id),
      descriptor_version: Number(r.descriptor_version),
      version: Number(r.version),
      digest: String(r.digest),
    };
    this.acks.push(ack);
    this.#prev = ack.digest;
    this.#version = ack.descriptor_version + 1;
  }

  async #ok(method: 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
    const r = await this.api.call(method, path, body);
    if (r.status < 200 || r.status > 299) throw new Error(`${path}: ${r.status} ${r.body.slice(0, 200)}`);
    return JSON.parse(r.body) as Record<string, unknown>;
  }

  /** The head as the server has it now (after a failure whose outcome is unknown). */
  async #resync(): Promise<void> {
    const r = await this.api.call('GET', `${API}/descriptors/${encodeURIComponent(this.id)}`);
    if (r.status === 404) {
      this.#version = 1;
      this.#prev = null;
    } else if (r.status === 200) {
      const head = JSON.parse(r.body) as { version: number };
      this.#version = head.version + 1;
      this.#prev = digestOfBody(r.body);
    } else throw new Error(`head ${this.id}: ${r.status}`);
  }

  /** Publishes at `rate` a second until `until()`; failures are counted, resynced and retried. */
  async run(rate: number, until: () => boolean): Promise<void> {
    const gap = 1000 / rate;
    let due = performance.now();
    let resync = false;
    while (!until()) {
      try {
        if (resync) await this.#resync();
        resync = false;
        await this.once();
      } catch (err) {
        this.errors++;
        resync = true;
        if (this.errors <= 3 && !/ECONNREFUSED|ECONNRESET|socket hang up|: 503 /.test(messageOf(err))) {
          console.error(`writer ${this.id}: ${messageOf(err)}`);
        }
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
        continue;
      }
      due += gap;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else due = performance.now();
    }
  }
}
