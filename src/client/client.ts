import { type Payload, parseJsonText, RegistryError, type Signature } from '../core/index.js';
import type {
  ApplyResult,
  ClientOptions,
  CompatibilityQuery,
  CompatibilityVerdict,
  DescriptorResponse,
  ListItem,
  ListPage,
  ListQuery,
  ProposalQuery,
  ProposalStatus,
  ProposalSummary,
  ProposalView,
  ReadyStatus,
  RegionMapResponse,
  VersionInfo,
  WatchItem,
  WatchOptions,
} from './client.types.js';
import { responseError } from './response-error.js';
import { SchemaValidators, type SchemaVerdict, type ValidateOptions } from './schema-validator.js';
import { readSse } from './sse.js';
import { Transport } from './transport.js';
import {
  int,
  parseJson,
  parseListPage,
  parseProposalPage,
  parseProposalPayload,
  parseRegionMap,
  parseServedDescriptor,
  parseVersions,
  parseWatchMessage,
  record,
  segment,
  str,
} from './wire.js';

export { DEFAULT_BASE_URL } from './transport.js';

const API = '/v1/registry';

/** `?a=1&b=2` of the set fields of a query (none: empty), in the order given. */
function queryOf(q: ListQuery | ProposalQuery): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs === '' ? '' : `?${qs}`;
}

/**
 * Typed client for every route of SPEC §5. Non-2xx answers throw a
 * {@link RegistryResponseError} (a `RegistryError` with the envelope's code, message, hint
 * and `requestId`); an unreachable server or a timeout throws `RegistryError`
 * `StoreUnavailable` with the cause attached.
 *
 * @example
 * ```ts
 * import { RegistryClient } from 'registry';
 *
 * const client = new RegistryClient({ baseUrl: 'http://127.0.0.1:9402', token: process.env.REGISTRY_TOKEN });
 * const { descriptor, digest } = await client.get('svc-storage@us-east-1');
 * const p = await client.propose(nextPayload, [signPayload(nextPayload, key, Date.now())]);
 * if (p.status === 'ready') await client.apply(p.proposal_id);
 * ```
 */
export class RegistryClient {
  readonly #http: Transport;
  readonly #schemas: SchemaValidators;

  constructor(opts: ClientOptions = {}) {
    this.#http = new Transport(opts);
    this.#schemas = new SchemaValidators((id, n) =>
      n === undefined ? this.get(id) : this.getVersion(id, n),
    );
  }

  /** The registry this client talks to, without a trailing `/`. */
  get baseUrl(): string {
    return this.#http.baseUrl;
  }

  /**
   * The global registry version (the last log seq).
   * @example
   * ```ts
   * const v = await client.version(); // 1 on a fresh registry (genesis)
   * ```
   */
  async version(): Promise<number> {
    return this.#http.call({
      method: 'GET',
      path: `${API}/version`,
      parse: (t) => int(record(parseJson(t, 'version'), 'version').version, 'version'),
    });
  }

  /**
   * One page of head summaries, by id.
   * @example
   * ```ts
   * const page = await client.list({ kind: 'service', prefix: 'svc-', limit: 500 });
   * if (page.next_cursor !== null) await client.list({ cursor: page.next_cursor });
   * ```
   */
  async list(q: ListQuery = {}): Promise<ListPage> {
    return this.#http.call({
      method: 'GET',
      path: `${API}/descriptors${queryOf(q)}`,
      parse: (t) => parseListPage(parseJson(t, 'list page')),
    });
  }

  /**
   * Every head summary, following `next_cursor` page by page.
   * @example
   * ```ts
   * for await (const item of client.listAll({ kind: 'node' })) console.log(item.id, item.version);
   * ```
   */
  async *listAll(q: Omit<ListQuery, 'cursor'> = {}): AsyncGenerator<ListItem, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.list(cursor === undefined ? q : { ...q, cursor });
      yield* page.items;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }

  /**
   * The head of `id`, parsed, with its digest (checked against the ETag) and the
   * `X-Registry-Version` of the snapshot that answered. Parsing checks the shape only; a
   * reader that must trust it verifies it with `verifyDescriptor` (or uses `TopologyWatcher`).
   * @example
   * ```ts
   * const { descriptor, etag, registryVersion } = await client.get('svc-storage@us-east-1');
   * ```
   */
  async get(id: string): Promise<DescriptorResponse> {
    return this.#http.call({
      method: 'GET',
      path: `${API}/descriptors/${segment(id)}`,
      parse: (t, res) => parseServedDescriptor(t, res, `descriptor ${id}`),
    });
  }

  /**
   * The head of `id` unless it still has ETag `etag` (`If-None-Match`, 304): then undefined.
   * @example
   * ```ts
   * const changed = await client.getIfChanged(id, cached.etag);
   * if (changed !== undefined) cached = changed;
   * ```
   */
  async getIfChanged(id: string, etag: string): Promise<DescriptorResponse | undefined> {
    return this.#http.call({
      method: 'GET',
      path: `${API}/descriptors/${segment(id)}`,
      headers: { 'if-none-match': etag },
      pass: [304],
      parse: (t, res) => (res.status === 304 ? undefined : parseServedDescriptor(t, res, `descriptor ${id}`)),
    });
  }

  /**
   * The history of `id`, ascending.
   * @example
   * ```ts
   * const history = await client.versions('svc-storage@us-east-1'); // [{ version: 1, digest, ts, deprecated }, …]
   * ```
   */
  async versions(id: string): Promise<VersionInfo[]> {
    return this.#http.call({
      method: 'GET',
      path: `${API}/descriptors/${segment(id)}/versions`,
      parse: (t) => parseVersions(parseJson(t, 'versions')),
    });
  }

  /**
   * Version `n` of `id`, parsed, as `get` does for the head.
   * @example
   * ```ts
   * const v1 = await client.getVersion('svc-storage@us-east-1', 1);
   * ```
   */
  async getVersion(id: string, n: number): Promise<DescriptorResponse> {
    if (!Number.isSafeInteger(n) || n < 1) throw new RegistryError('BadRequest', `version ${n}: must be ≥ 1`);
    return this.#http.call({
      method: 'GET',
      path: `${API}/descriptors/${segment(id)}/versions/${n}`,
      parse: (t, res) => parseServedDescriptor(t, res, `descriptor ${id} version ${n}`),
    });
  }

  /**
   * The current region map (NotFound until one is applied).
   * @example
   * ```ts
   * const { regions } = await client.regionMap();
   * ```
   */
  async regionMap(): Promise<RegionMapResponse> {
    return this.#http.call({
      method: 'GET',
      path: `${API}/regions/map`,
      parse: parseRegionMap,
    });
  }

  /**
   * Proposes a payload (the descriptor without `signatures`) with the signatures collected
   * so far. Posting the same payload again merges signatures into the same proposal.
   * @example
   * ```ts
   * const payload = { id: 'svc-a', version: 1, kind: 'service', prev: null, ts: Date.now(), body };
   * const p = await client.propose(payload, [signPayload(payload, key, Date.now())]);
   * console.log(p.proposal_id, p.status, `${p.signatures}/${p.threshold}`);
   * ```
   */
  async propose(descriptor: Payload, signatures: readonly Signature[]): Promise<ProposalStatus> {
    return this.#http.call({
      method: 'POST',
      path: `${API}/proposals`,
      body: { descriptor, signatures },
      parse: (t) => parseJson(t, 'proposal status') as ProposalStatus,
    });
  }

  /**
   * A pending, ready or applied proposal.
   * @example
   * ```ts
   * const view = await client.proposal(proposalId);
   * if (view.status === 'applied') console.log(view.applied?.version);
   * ```
   */
  async proposal(proposalId: string): Promise<ProposalView> {
    return this.#http.call({
      method: 'GET',
      path: `${API}/proposals/${encodeURIComponent(proposalId)}`,
      parse: (t) => {
        const raw = record(parseJsonText(t), 'proposal');
        const view = raw as unknown as ProposalView;
        // Servers before the progress fields (and applied proposals) answer without them.
        return {
          ...view,
          descriptor: parseProposalPayload(raw.descriptor),
          signed_by: view.signed_by ?? [],
          missing: view.missing ?? [],
          sets: view.sets ?? [],
        };
      },
    });
  }

  /**
   * One page of pending and ready proposals (SPEC §5), each with who signed and who is
   * missing per signer set.
   * @example
   * ```ts
   * const { items } = await client.proposals({ status: 'pending', prefix: 'svc-' });
   * for (const p of items) console.log(p.descriptor_id, p.status, p.missing);
   * ```
   */
  async proposals(q: ProposalQuery = {}): Promise<{ items: ProposalSummary[]; next_cursor: string | null }> {
    return this.#http.call({
      method: 'GET',
      path: `${API}/proposals${queryOf(q)}`,
      parse: (t) => parseProposalPage(parseJson(t, 'proposal page')),
    });
  }

  /**
   * Every live proposal, following `next_cursor`.
   * @example
   * ```ts
   * for await (const p of client.proposalsAll({ status: 'ready' })) await client.apply(p.proposal_id);
   * ```
   */
  async *proposalsAll(
    q: Omit<ProposalQuery, 'cursor'> = {},
  ): AsyncGenerator<ProposalSummary, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.proposals(cursor === undefined ? q : { ...q, cursor });
      yield* page.items;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }

  /**
   * Adds signatures to a pending proposal (co-signing).
   * @example
   * ```ts
   * const p = await client.cosign(proposalId, [signPayload(view.descriptor, myKey, Date.now())]);
   * ```
   */
  async cosign(proposalId: string, signatures: readonly Signature[]): Promise<ProposalStatus> {
    return this.#http.call({
      method: 'POST',
      path: `${API}/proposals/${encodeURIComponent(proposalId)}/signatures`,
      body: { signatures },
      parse: (t) => parseJson(t, 'proposal status') as ProposalStatus,
    });
  }

  /**
   * Applies a proposal that has reached quorum; repeating it returns the same result.
   * @example
   * ```ts
   * const { version, descriptor_version } = await client.apply(proposalId);
   * ```
   */
  async apply(proposalId: string): Promise<ApplyResult> {
    return this.#http.call({
      method: 'POST',
      path: `${API}/apply/${encodeURIComponent(proposalId)}`,
      parse: (t) => parseJson(t, 'apply result') as ApplyResult,
    });
  }

  /**
   * Validates `value` locally against schema `id` (SPEC §12): the schema and every schema it
   * references are fetched, their quorum verified under `opts.trust`, and compiled once per
   * digest with the server's dialect and options, so the verdict is the validate route's.
   * @example
   * ```ts
   * const trust = { signers: ['ed25519:…', 'ed25519:…', 'ed25519:…'], threshold: 2 };
   * const v = await client.validate('ticks', { symbol: 'ACME', price: 12.5 }, { trust });
   * if (!v.valid) console.log(v.errors.map((e) => `${e.path} ${e.message}`));
   * ```
   */
  async validate(id: string, value: unknown, opts: ValidateOptions): Promise<SchemaVerdict> {
    return this.#schemas.validate(id, value, opts);
  }

  /**
   * The same verdict from the server's `POST /schemas/{id}/validate` (no local verification).
   * @example
   * ```ts
   * const v = await client.validateRemote('ticks', { symbol: 'ACME' }, 1);
   * ```
   */
  async validateRemote(id: string, value: unknown, version?: number): Promise<SchemaVerdict> {
    const q = version === undefined ? '' : `?version=${version}`;
    return this.#http.call({
      method: 'POST',
      path: `${API}/schemas/${segment(id)}/validate${q}`,
      body: value,
      parse: (t) => parseJson(t, 'validation verdict') as SchemaVerdict,
    });
  }

  /**
   * Whether a candidate `schema` body keeps the compatibility mode with the stored versions
   * (SPEC §12 `POST /schemas/{id}/compatibility`): defaults are the mode in force and the
   * versions it names.
   * @example
   * ```ts
   * const v = await client.compatibility('ticks', candidateBody, { against: 'all' });
   * for (const x of v.violations) console.log(x.against, x.change, x.path, x.message);
   * ```
   */
  async compatibility(
    id: string,
    candidate: unknown,
    q: CompatibilityQuery = {},
  ): Promise<CompatibilityVerdict> {
    const params = new URLSearchParams();
    if (q.against !== undefined) params.set('against', String(q.against));
    if (q.mode !== undefined) params.set('mode', q.mode);
    if (q.policy !== undefined) params.set('policy', q.policy);
    const qs = params.toString();
    return this.#http.call({
      method: 'POST',
      path: `${API}/schemas/${segment(id)}/compatibility${qs === '' ? '' : `?${qs}`}`,
      body: candidate,
      parse: (t) => parseJson(t, 'compatibility verdict') as CompatibilityVerdict,
    });
  }

  /**
   * Whether version `to` of schema `id` keeps `mode` (default BACKWARD, strict) with version `from`.
   * @example
   * ```ts
   * const v = await client.compatibilityBetween('ticks', 1, 2, { mode: 'FULL' });
   * ```
   */
  async compatibilityBetween(
    id: string,
    from: number,
    to: number,
    q: Omit<CompatibilityQuery, 'against'> = {},
  ): Promise<CompatibilityVerdict> {
    const params = new URLSearchParams();
    if (q.mode !== undefined) params.set('mode', q.mode);
    if (q.policy !== undefined) params.set('policy', q.policy);
    const qs = params.toString();
    return this.#http.call({
      method: 'GET',
      path: `${API}/schemas/${segment(id)}/compatibility/${from}/${to}${qs === '' ? '' : `?${qs}`}`,
      parse: (t) => parseJson(t, 'compatibility verdict') as CompatibilityVerdict,
    });
  }

  /**
   * Applies a descriptor already signed to quorum in one request, with no stored proposal
   * (SPEC §5 POST /apply: CI uploads, offline signing ceremonies); the token needs both
   * propose and apply scopes. Repeating it after it applied returns the same result.
   * @example
   * ```ts
   * const sigs = [signPayload(payload, keyA, Date.now()), signPayload(payload, keyB, Date.now())];
   * const { version, digest } = await client.applySigned(payload, sigs);
   * ```
   */
  async applySigned(descriptor: Payload, signatures: readonly Signature[]): Promise<ApplyResult> {
    return this.#http.call({
      method: 'POST',
      path: `${API}/apply`,
      body: { descriptor, signatures },
      parse: (t) => parseJson(t, 'apply result') as ApplyResult,
    });
  }

  /**
   * Liveness (`/healthz`).
   * @example
   * ```ts
   * await client.health(); // { status: 'ok' }
   * ```
   */
  async health(): Promise<{ status: string }> {
    return this.#http.call({
      method: 'GET',
      path: `${API}/healthz`,
      parse: (t) => ({ status: str(record(parseJson(t, 'health'), 'health').status, 'health status') }),
    });
  }

  /**
   * Readiness (`/readyz`). A probe, so a 503 `ready: false` is returned, not thrown.
   * @example
   * ```ts
   * const { ready, writes } = await client.ready();
   * ```
   */
  async ready(): Promise<ReadyStatus> {
    return this.#http.call({
      method: 'GET',
      path: `${API}/readyz`,
      pass: [503],
      parse: (t, res) => {
        const r = record(parseJson(t, 'readiness'), 'readiness');
        if (typeof r.ready !== 'boolean') throw responseError(res, t, 'GET /readyz');
        return r as ReadyStatus;
      },
    });
  }

  /**
   * One `/watch` stream: log events (CloudEvents, parsed) and progress notes, until the
   * server ends it, the connection breaks (throws `StoreUnavailable`) or `signal` aborts
   * (ends quietly). It does not reconnect: resume with `since` = the last seq seen, or use
   * `TopologyWatcher`, which does.
   * @example
   * ```ts
   * const ctrl = new AbortController();
   * for await (const item of client.watch({ since: 0, signal: ctrl.signal })) {
   *   if (item.type === 'event') console.log(item.seq, item.event.type, item.event.subject);
   *   else console.log('current at', item.registryVersion);
   * }
   * ```
   */
  async *watch(opts: WatchOptions = {}): AsyncGenerator<WatchItem, void, undefined> {
    const since = opts.since ?? 0;
    if (!Number.isSafeInteger(since) || since < 0)
      throw new RegistryError('BadRequest', 'since: must be ≥ 0');
    const path = `${API}/watch?since=${since}${opts.prefix === undefined ? '' : `&prefix=${encodeURIComponent(opts.prefix)}`}`;
    const opened = await this.#http.stream(path, opts.signal);
    if (opened === undefined) return;
    try {
      if (opened.res.body === null) return;
      for await (const m of readSse(opened.res.body)) {
        const item = parseWatchMessage(m);
        if (item !== undefined) yield item;
      }
    } catch (err) {
      if (opts.signal?.aborted === true) return;
      if (err instanceof RegistryError) throw err;
      throw new RegistryError('StoreUnavailable', `GET ${path}: stream broken`, 'reconnect with since', {
        cause: err,
      });
    } finally {
      opened.close();
    }
  }
}
