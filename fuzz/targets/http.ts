/**
 * Target `http`: random and mutated requests against a real server (the `serve` path with
 * the head fast lane, in-process, on a temp store), over raw sockets.
 *
 * Invariants (SPEC §5):
 * - every answer comes within the budget with a status from SPEC's table (2xx, 304 or an
 *   error code's status), never a 500;
 * - every response carries X-Request-Id (the incoming one when well-formed);
 * - every non-2xx (but 304) is the SPEC envelope: exactly the six fields, a SPEC code
 *   whose status is the response's, request_id = the X-Request-Id header;
 * - the server logs no unhandled error (a defect the envelope would mask as 503);
 * - a known head read keeps answering 200 with the same bytes throughout.
 */
import { type ErrorCode, type HeadRef, STATUS } from '../../src/core/index.js';
import { ROUTES } from '../../src/http/routes.js';
import { ALL_SCOPES, startTestServer, type TestServer } from '../../test/helpers/server.js';
import { BodyGenerator, garbage } from '../lib/bodies.js';
import { type FuzzTarget, shrinkText } from '../lib/driver.js';
import { expect, InvariantFailure, isSpecCode, type Outcome } from '../lib/outcome.js';
import { type RawRequest, type RawResponse, send } from '../lib/raw-http.js';
import type { Rng } from '../lib/rng.js';
import { FUZZ_GENESIS, FUZZ_KEYS } from '../lib/seeds.js';

/** A request as recorded in a failure file (bodies as base64: they may not be text). */
export interface HttpInput {
  readonly method: string;
  readonly path: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string | null;
  readonly chunked: boolean;
}

const BASE = '/v1/registry';
const SENTINEL = 'fuzz-sentinel';
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
const SUCCESS = new Set([200, 202, 304]);
const ERROR_STATUS = new Set<number>(Object.values(STATUS));
const ENVELOPE_FIELDS = ['code', 'message', 'hint', 'retryable', 'ts', 'request_id'];
const CHECK_EVERY = 25;
const WRITE_ROUTES = ROUTES.filter((r) => r.method === 'POST');
export const REQUEST_BUDGET_MS = 5000;

export class HttpTarget implements FuzzTarget<HttpInput> {
  readonly name = 'http';
  readonly batchSize = 500;
  readonly #server: TestServer;
  readonly #host: string;
  readonly #port: number;
  readonly #bodies = new BodyGenerator();
  readonly #tokens: { all: string; read: string; apply: string };
  readonly #heads = new Map<string, HeadRef>();
  readonly #pending: string[] = [];
  #sentinel: Buffer = Buffer.alloc(0);
  #logAt = 0;
  #sinceCheck = 0;

  private constructor(server: TestServer) {
    this.#server = server;
    const url = new URL(server.url);
    this.#host = url.hostname;
    this.#port = Number(url.port);
    this.#tokens = {
      all: server.token(ALL_SCOPES, { identifier: 'fuzz' }),
      read: server.token(['registry:read'], { identifier: 'fuzz-read' }),
      apply: server.token(['registry:apply'], {
        idPrefix: 'svc-',
        kinds: ['service'],
        identifier: 'fuzz-apply',
      }),
    };
  }

  static async create(): Promise<HttpTarget> {
    const server = await startTestServer({
      SIGNER_ALLOWLIST: FUZZ_GENESIS.signers.join(','),
      SIG_THRESHOLD: String(FUZZ_GENESIS.threshold),
      LOG_LEVEL: 'warn',
      WRITE_RATE: '1000000',
    });
    const t = new HttpTarget(server);
    await t.#publishSentinel();
    return t;
  }

  get server(): TestServer {
    return this.#server;
  }

  async #publishSentinel(): Promise<void> {
    const payload = {
      id: SENTINEL,
      version: 1,
      kind: 'service',
      body: {
        name: SENTINEL,
        region: 'us-east-1',
        endpoints: [{ addr: '10.9.9.9:443', tls: true, weight: 1 }],
      },
      prev: null,
      ts: Date.now() - 1000,
    };
    const signatures = FUZZ_KEYS.filter((k) => k.n <= 2).map((k) => k.sign(payload as never, payload.ts));
    const auth: Array<[string, string]> = [
      ['Authorization', `Bearer ${this.#tokens.all}`],
      ['Content-Type', 'application/json'],
    ];
    const p = await this.#send({
      method: 'POST',
      path: `${BASE}/proposals`,
      headers: auth,
      body: Buffer.from(JSON.stringify({ descriptor: payload, signatures })),
    });
    if (p.status !== 202) throw new Error(`sentinel proposal: ${p.status} ${p.body.toString()}`);
    const { proposal_id } = JSON.parse(p.body.toString()) as { proposal_id: string };
    await this.#send({ method: 'POST', path: `${BASE}/apply/${proposal_id}`, headers: auth });
    const head = await this.#send({ method: 'GET', path: `${BASE}/descriptors/${SENTINEL}`, headers: [] });
    if (head.status !== 200)
      throw new Error(`sentinel not published: ${head.status} ${head.body.toString()}`);
    this.#sentinel = head.body;
    this.#logAt = this.#server.logs().length;
  }

  async reset(): Promise<void> {
    // One server for the whole run: its state only grows, as a long-lived one's does.
  }

  async close(): Promise<void> {
    await this.#server.stop();
  }

  #send(req: RawRequest): Promise<RawResponse> {
    return send(this.#host, this.#port, req, REQUEST_BUDGET_MS);
  }

  // ---- generation ----

  generate(rng: Rng): HttpInput {
    // Write routes are where the state changes: weight them up.
    const route = rng.chance(0.4) ? rng.pick(WRITE_ROUTES) : rng.pick(ROUTES);
    const method = rng.weighted<string>([
      [12, route.method],
      [3, route.method === 'GET' ? 'POST' : 'GET'],
      [1, 'HEAD'],
      [1, rng.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS'])],
    ]);
    const path = this.#path(route.path, rng);
    const headers: Array<[string, string]> = [];
    const auth = this.#auth(rng);
    if (auth !== undefined) headers.push(['Authorization', auth]);
    if (rng.chance(0.01)) headers.push(['Host', '']);
    if (rng.chance(0.7)) headers.push(['X-Request-Id', requestId(rng)]);
    if (rng.chance(0.15)) headers.push(['If-None-Match', this.#etag(rng)]);
    if (rng.chance(0.1))
      headers.push(['Last-Event-ID', rng.pick(['0', '-1', 'x', '99999999999999999999', '1'])]);
    if (rng.chance(0.1))
      headers.push([`X-Fuzz-${rng.int(100)}`, 'v'.repeat(rng.pick([1, 100, 3000, 20_000]))]);
    if (rng.chance(0.3))
      headers.push([
        'Content-Type',
        rng.pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', '*/*', '']),
      ]);
    const { body, chunked } =
      method === 'GET' || method === 'HEAD' ? { body: null, chunked: false } : this.#body(path, rng);
    if (body !== null && !chunked && rng.chance(0.02)) {
      // A Content-Length that undercounts: the rest is a garbled pipelined request (node's parser refuses it).
      headers.push(['Content-Length', String(rng.int(Buffer.from(body, 'base64').length))]);
    }
    headers.push(['Connection', 'close']);
    return { method, path, headers, body, chunked };
  }

  #param(name: string, rng: Rng): string {
    if (name === 'proposal_id') {
      return rng.weighted<() => string>([
        [4, () => (this.#pending.length === 0 ? 'f'.repeat(64) : rng.pick(this.#pending))],
        [2, () => rng.bytes(32).toString('hex')],
        [1, () => rng.bytes(32).toString('hex').toUpperCase()],
        [1, () => oddSegment(rng)],
      ])();
    }
    if (name === 'n')
      return rng.pick([
        '1',
        '2',
        '0',
        '-1',
        '01',
        '1.5',
        '1e3',
        '9007199254740993',
        'x',
        '%31',
        '%201',
        ' 1',
      ]);
    const ids = [...this.#heads.keys(), SENTINEL, 'governance', 'regions', 'svc-1', 'svc-storage@us-east-1'];
    return rng.weighted<() => string>([
      [5, () => rng.pick(ids)],
      [2, () => encodeURIComponent(rng.pick(ids))],
      [2, () => oddSegment(rng)],
    ])();
  }

  #path(template: string, rng: Rng): string {
    let path = template.replace(/:([a-z_]+)/g, (_, name: string) => this.#param(name, rng));
    path = rng.weighted<() => string>([
      [12, () => path],
      [
        1,
        () =>
          path.replace(
            BASE,
            rng.pick(['/v1/registry/..', '/V1/registry', '/v1//registry', '/v2/registry', '']),
          ),
      ],
      [1, () => `${path}/`],
      [1, () => `${path}/${oddSegment(rng)}`],
      [1, () => `/${oddSegment(rng)}`],
      [1, () => `${path}${'/a'.repeat(rng.pick([100, 2000]))}`],
      [1, () => `${BASE}/descriptors/${'a'.repeat(rng.pick([128, 129, 4000]))}`],
    ])();
    if (rng.chance(0.3)) path += `?${query(rng)}`;
    return path;
  }

  #auth(rng: Rng): string | undefined {
    const t = this.#tokens;
    return rng.weighted<() => string | undefined>([
      [3, () => undefined],
      [8, () => `Bearer ${t.all}`],
      [1, () => `Bearer ${t.read}`],
      [1, () => `Bearer ${t.apply}`],
      [1, () => `Bearer ${flipChar(t.all, rng)}`],
      [1, () => `Bearer ${t.all.slice(0, rng.int(t.all.length))}`],
      [1, () => `Bearer ${t.all}${rng.pick(['=', '==', 'A', '.'])}`],
      [1, () => `Bearer ${Buffer.from(rng.bytes(rng.int(200))).toString('base64url')}`],
      [
        1,
        () =>
          rng.pick([
            'Bearer',
            'Bearer ',
            'Basic dXNlcjpwYXNz',
            'bearer x',
            `Bearer ${'A'.repeat(6000)}`,
            'Bearer \u00ff\u00fe',
          ]),
      ],
    ])();
  }

  #etag(rng: Rng): string {
    const heads = [...this.#heads.values()];
    const digest = heads.length > 0 ? rng.pick(heads).digest : 'a'.repeat(64);
    return rng.pick([`"${digest}"`, `W/"${digest}"`, '*', digest, `"x", "${digest}"`, '""', '"', 'garbage']);
  }

  #body(path: string, rng: Rng): { body: string | null; chunked: boolean } {
    const input = this.#bodies.input(rng, this.#heads, this.#pending);
    const text = path.includes('/signatures') ? (input.cosign ?? input.proposal) : input.proposal;
    const bytes = rng.weighted<() => Buffer>([
      [12, () => Buffer.from(text, 'utf8')],
      [1, () => rng.bytes(rng.int(300))],
      // Invalid UTF-8 inside an otherwise plausible body.
      [
        1,
        () =>
          Buffer.concat([
            Buffer.from('{"descriptor":{"id":"'),
            Buffer.from([0xc3, 0x28, 0xff, 0xed, 0xa0, 0x80]),
            Buffer.from('"}}'),
          ]),
      ],
      [1, () => Buffer.from(garbage(rng), 'utf8')],
      [1, () => Buffer.alloc(rng.pick([65_536, 65_537, 70_000]), 0x20)],
      [1, () => Buffer.alloc(0)],
    ])();
    return { body: bytes.toString('base64'), chunked: rng.chance(bytes.length > 65_536 ? 0.5 : 0.1) };
  }

  // ---- execution ----

  async run(input: HttpInput): Promise<Outcome> {
    const res = await this.#exchange(input);
    const outcome = this.#check(input, res);
    this.#learn(input, res);
    if (++this.#sinceCheck >= CHECK_EVERY) {
      this.#sinceCheck = 0;
      await this.#checkSentinel();
    }
    return outcome;
  }

  async #exchange(input: HttpInput): Promise<RawResponse> {
    try {
      return await this.#send({
        method: input.method,
        path: input.path,
        headers: input.headers,
        body: input.body === null ? undefined : Buffer.from(input.body, 'base64'),
        chunked: input.chunked,
      });
    } catch (err) {
      throw new InvariantFailure(`${input.method} ${input.path.slice(0, 100)}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  #check(input: HttpInput, res: RawResponse): Outcome {
    const what = `${input.method} ${input.path.slice(0, 100)} → ${res.status}`;
    const rid = res.headers.get('x-request-id');
    expect(rid !== undefined && rid !== '', () => `${what}: no X-Request-Id header`);
    const sent = input.headers.find(([k]) => k === 'X-Request-Id')?.[1];
    // A request refused before any handler runs (node's parser, no Host) keeps no incoming id.
    const hostless = input.headers.some(([k, v]) => k === 'Host' && v === '');
    if (sent !== undefined && REQUEST_ID_RE.test(sent) && parsable(input) && !hostless) {
      expect(rid === sent, () => `${what}: X-Request-Id ${rid}, sent ${sent}`);
    }
    expect(
      SUCCESS.has(res.status) || ERROR_STATUS.has(res.status),
      () => `${what}: status not in SPEC's table`,
    );
    this.#checkLogs(what);
    if (SUCCESS.has(res.status))
      return res.status === 200 && input.path.startsWith(`${BASE}/apply`) ? 'applied' : 'accepted';
    if (input.method === 'HEAD') return 'BadRequest';
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body.toString('utf8'));
    } catch {
      throw new InvariantFailure(`${what}: body is not JSON: ${res.body.toString('utf8').slice(0, 200)}`);
    }
    const error = (parsed as { error?: Record<string, unknown> } | null)?.error;
    expect(
      error !== undefined &&
        error !== null &&
        Object.keys(parsed as object).length === 1 &&
        // SPEC §5: the six fields always, and `details` (an array) on BadRequest and Incompatible.
        Object.keys(error)
          .filter(
            (k) =>
              k !== 'details' ||
              !(
                Array.isArray(error.details) &&
                (error.code === 'BadRequest' || error.code === 'Incompatible')
              ),
          )
          .sort()
          .join() === [...ENVELOPE_FIELDS].sort().join(),
      () => `${what}: not the SPEC envelope: ${res.body.toString('utf8').slice(0, 300)}`,
    );
    const e = error as Record<string, unknown>;
    expect(isSpecCode(e.code), () => `${what}: code ${String(e.code)} is not in SPEC's table`);
    const code = e.code as ErrorCode;
    expect(STATUS[code] === res.status, () => `${what}: code ${code} is status ${STATUS[code]}`);
    expect(e.request_id === rid, () => `${what}: request_id ${String(e.request_id)} ≠ header ${rid}`);
    expect(
      typeof e.message === 'string' &&
        typeof e.hint === 'string' &&
        typeof e.retryable === 'boolean' &&
        typeof e.ts === 'string',
      () => `${what}: envelope field types`,
    );
    return code;
  }

  #checkLogs(what: string): void {
    const logs = this.#server.logs();
    if (logs.length === this.#logAt) return;
    const fresh = logs.slice(this.#logAt);
    this.#logAt = logs.length;
    expect(
      !/unhandled error|"level":(50|60)/.test(fresh),
      () => `${what}: server logged an error: ${fresh.slice(0, 600)}`,
    );
  }

  /** Proposal ids and heads the server reported, so later requests can aim at them. */
  #learn(input: HttpInput, res: RawResponse): void {
    if (res.status !== 200 && res.status !== 202) return;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return;
    }
    if (res.status === 202 && typeof v.proposal_id === 'string' && !this.#pending.includes(v.proposal_id)) {
      this.#pending.push(v.proposal_id);
      if (this.#pending.length > 200) this.#pending.shift();
    }
    if (input.path.startsWith(`${BASE}/apply/`) && typeof v.descriptor_id === 'string') {
      const id = v.descriptor_id;
      const known = this.#heads.get(id);
      const version = Number(v.descriptor_version);
      if (known === undefined || known.version < version) {
        this.#heads.set(id, { version, digest: String(v.digest), kind: known?.kind ?? 'service' });
      }
      if (id === SENTINEL) this.#sentinel = Buffer.alloc(0);
    }
  }

  /** SPEC §5: the known head keeps answering 200 with the same bytes. */
  async #checkSentinel(): Promise<void> {
    const res = await this.#send({
      method: 'GET',
      path: `${BASE}/descriptors/${SENTINEL}`,
      headers: [['Connection', 'close']],
    });
    expect(
      res.status === 200,
      () => `known head read answered ${res.status}: ${res.body.toString().slice(0, 200)}`,
    );
    // Only a fuzzed apply of the sentinel itself may change it (then its new bytes are the reference).
    if (this.#sentinel.length === 0) this.#sentinel = res.body;
    expect(res.body.equals(this.#sentinel), () => 'known head read answered other bytes');
  }

  async endBatch(): Promise<void> {
    await this.#checkSentinel();
  }

  async replay(input: HttpInput): Promise<string | undefined> {
    try {
      await this.run(input);
      return undefined;
    } catch (err) {
      if (err instanceof InvariantFailure) return err.message;
      throw err;
    }
  }

  *shrink(input: HttpInput): Iterable<HttpInput> {
    for (let i = 0; i < input.headers.length; i++) {
      if (input.headers[i]?.[0] !== 'Connection')
        yield { ...input, headers: input.headers.filter((_, j) => j !== i) };
    }
    if (input.body !== null) {
      const text = Buffer.from(input.body, 'base64').toString('latin1');
      for (const t of shrinkText(text)) yield { ...input, body: Buffer.from(t, 'latin1').toString('base64') };
    }
  }
}

/** Whether node's HTTP parser accepts the request (else it answers before any handler runs). */
export function parsable(input: HttpInput): boolean {
  const headBytes = input.path.length + input.headers.reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  const length = input.headers.find(([k]) => k === 'Content-Length')?.[1];
  const bodyBytes = input.body === null ? 0 : Buffer.from(input.body, 'base64').length;
  return (
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes are what is looked for.
    !/[\s\x00-\x1f\x7f-\uffff]/.test(input.path) &&
    headBytes < 15_000 &&
    (length === undefined || input.chunked || Number(length) === bodyBytes)
  );
}

function requestId(rng: Rng): string {
  return rng.pick([
    `fuzz-${rng.u32().toString(36)}`,
    'a'.repeat(128),
    'a'.repeat(129),
    '',
    ' ',
    'has space',
    'r-\u00e9',
    '../../x',
    '<script>',
    'x'.repeat(rng.int(3000)),
    'id,with,commas',
    '"quoted"',
  ]);
}

function oddSegment(rng: Rng): string {
  return rng.pick([
    '..',
    '%2e%2e',
    '%2F',
    'a%2Fb',
    '%00',
    '%ZZ',
    '%',
    '%e2%80%ae',
    '%F0%9F%98%80',
    '%ed%a0%80',
    '%C3%28',
    'a;b',
    'a@b:c',
    '.',
    '~',
    '__proto__',
    'constructor',
    '%20',
    '+',
    'x'.repeat(rng.pick([1, 300, 3000])),
  ]);
}

function query(rng: Rng): string {
  const parts: string[] = [];
  for (let i = rng.range(1, 4); i > 0; i--) {
    const key = rng.pick(['limit', 'cursor', 'kind', 'prefix', 'since', 'x', '', 'limit']);
    const value = rng.pick([
      '',
      '0',
      '1',
      '100',
      '1000',
      '1001',
      '-1',
      '1e3',
      'abc',
      'service',
      'governance',
      '%00',
      '%ZZ',
      'svc-',
      'a'.repeat(2000),
      '9007199254740993',
    ]);
    parts.push(rng.chance(0.1) ? key : `${key}=${value}`);
  }
  return parts.join('&');
}

function flipChar(s: string, rng: Rng): string {
  const i = rng.int(s.length);
  const c = s[i] === 'A' ? 'B' : 'A';
  return s.slice(0, i) + c + s.slice(i + 1);
}
