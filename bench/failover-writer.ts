/**
 * The failover drill's writers. A writer owns one descriptor id and publishes its next
 * version again and again through a list of registry instances of one cluster, the way an
 * operator's client with several base URLs does: every request goes to the writer's home
 * instance first and, on a connection error, a timeout, a 503 or a 429, is retried on the
 * next instance. A retry is the same request: the proposal is signed once (both
 * signatures, threshold 2) before its first attempt, so a retried propose merges into the
 * shared proposal and a retried apply of an applied proposal answers the same 200 (SPEC §5).
 * The writer never skips a version: each version ends with an acknowledged apply (or, when
 * its answer was lost, is found applied with this writer's digest), which is what makes
 * "every id's head is its last acknowledged version" checkable at the end.
 */
import { digestOf, messageOf, type Payload, type Signature, signingBytes } from '../src/core/index.js';
import { fastSigner } from '../test/helpers/fast-sign.js';
import { KEYS, NOW, servicePayload } from '../test/helpers/fixtures.js';
import { type Ack, type Api, headDigest } from './soak-writer.js';

const API = '/v1/registry';
/** How long a 404 on apply (a view that has not caught up) is asked again before proposing anew. */
const NOT_FOUND_PATIENCE_MS = 10_000;
/** How long 409s from views behind this writer's own acks are retried before they count as a failure. */
const STALE_PATIENCE_MS = 180_000;

const signers = [fastSigner(KEYS[0]), fastSigner(KEYS[1])];

/** Both signatures of the threshold-2 quorum, made once per version. */
function presign(payload: Payload): Signature[] {
  return signers.map((s) => s(payload, NOW));
}

type Outcome =
  | { readonly kind: 'ok'; readonly status: number; readonly body: Record<string, unknown> }
  /** Worth asking again (maybe elsewhere): no answer, 503 or 429. */
  | { readonly kind: 'retry'; readonly why: string }
  /** An answer the writer does not retry blindly. */
  | { readonly kind: 'refused'; readonly status: number; readonly body: string };

type Answer = Extract<Outcome, { kind: 'ok' | 'refused' }> & { readonly via: number };

export interface AckTime {
  readonly ack: Ack;
  /** performance.now() when the 200 arrived. */
  readonly at: number;
  /** The instance that answered it. */
  readonly via: string;
}

export interface Instance {
  readonly name: string;
  readonly api: Api;
}

export class FailoverWriter {
  /** Requests that failed and were retried. */
  retries = 0;
  /** Why requests were retried: the answer's message with numbers and ids blanked, and a count. */
  readonly retryReasons = new Map<string, number>();
  /** Applies answered 404 (proposal gone or not seen, not applied in that instance's view). */
  applyNotFound = 0;
  /** 409s from an instance whose view is behind this writer's last acknowledged version. */
  staleView = 0;
  /** Versions found applied without an acknowledged apply (after a 404 or 409). */
  appliedUnacknowledged = 0;
  /** Answers no retry fixes: each one is a drill failure. */
  readonly unexpected: string[] = [];
  #version = 1;
  #prev: string | null = null;

  /** `instances[0]` is the home instance. */
  constructor(
    readonly instances: readonly Instance[],
    readonly id: string,
    readonly acks: AckTime[],
  ) {}

  get lastAcked(): number {
    return this.#version - 1;
  }

  /** Publishes at `rate` a second until `until()`; the version in flight is finished unless `abort()`. */
  async run(rate: number, until: () => boolean, abort: () => boolean): Promise<void> {
    const gap = 1000 / rate;
    let due = performance.now();
    while (!until() && this.unexpected.length === 0) {
      if (!(await this.#publishNext(abort))) return;
      due += gap;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      else due = performance.now();
    }
  }

  /** One version, from propose to its acknowledged apply; false when aborted or refused. */
  async #publishNext(abort: () => boolean): Promise<boolean> {
    const payload = servicePayload(this.id, this.#version, this.#prev, { ts: NOW });
    const proposal = { descriptor: payload, signatures: presign(payload) };
    const staleUntil = performance.now() + STALE_PATIENCE_MS;
    // Every request starts at home, unless home just answered from a stale view.
    let start = 0;
    for (;;) {
      const p = await this.#send(`${API}/proposals`, proposal, abort, start);
      if (p === undefined) return false;
      if (p.kind === 'refused') {
        if (p.status === 409 && (await this.#staleOrApplied(payload, p, staleUntil))) {
          if (this.lastAcked >= payload.version) return true;
          start = p.via + 1;
          continue;
        }
        this.unexpected.push(`propose ${this.id} v${payload.version}: ${p.status} ${p.body.slice(0, 200)}`);
        return false;
      }
      const pid = encodeURIComponent(String(p.body.proposal_id));
      const notFoundUntil = performance.now() + NOT_FOUND_PATIENCE_MS;
      for (;;) {
        const a = await this.#send(`${API}/apply/${pid}`, undefined, abort, start);
        if (a === undefined) return false;
        if (a.kind === 'ok') {
          const ack: Ack = {
            descriptor_id: String(a.body.descriptor_id),
            descriptor_version: Number(a.body.descriptor_version),
            version: Number(a.body.version),
            digest: String(a.body.digest),
          };
          this.acks.push({ ack, at: performance.now(), via: this.#name(a.via) });
          this.#advance(ack.digest);
          return true;
        }
        if (a.status === 409 && (await this.#staleOrApplied(payload, a, staleUntil))) {
          if (this.lastAcked >= payload.version) return true;
          start = a.via + 1;
          continue;
        }
        if (a.status !== 404) {
          this.unexpected.push(`apply ${this.id} v${payload.version}: ${a.status} ${a.body.slice(0, 200)}`);
          return false;
        }
        this.applyNotFound++;
        if (performance.now() > notFoundUntil) break; // propose again
        await sleep(200);
      }
    }
  }

  #advance(digest: string): void {
    this.#prev = digest;
    this.#version++;
  }

  #name(i: number): string {
    return this.instances[i % this.instances.length]?.name ?? '?';
  }

  /**
   * A 409 means the answering view's head is not this version's parent: either the version
   * is applied already (its answer was lost, or a 404 sent us back to propose), or that view
   * is behind this writer's own acks (it has not materialized them yet). True: go on (the
   * writer advanced, or retries elsewhere after a pause); false: a real refusal.
   */
  async #staleOrApplied(
    payload: Payload,
    answer: Extract<Answer, { kind: 'refused' }>,
    staleUntil: number,
  ): Promise<boolean> {
    const ours = digestOf(signingBytes(payload));
    for (const { api } of this.instances) {
      const served = await headDigest(api, this.id, payload.version).catch(() => undefined);
      if (served !== ours) continue;
      this.appliedUnacknowledged++;
      this.#advance(ours);
      return true;
    }
    const behind = /is at version ([0-9]+)/.exec(answer.body);
    if (behind === null || Number(behind[1]) >= this.lastAcked || performance.now() > staleUntil)
      return false;
    this.staleView++;
    this.#count(`${this.#name(answer.via)}: 409 from a view behind this writer's acks`);
    await sleep(200);
    return true;
  }

  #count(reason: string): void {
    this.retryReasons.set(reason, (this.retryReasons.get(reason) ?? 0) + 1);
  }

  /** POSTs until an answer that is not worth retrying; undefined when aborted meanwhile. */
  async #send(path: string, body: unknown, abort: () => boolean, start: number): Promise<Answer | undefined> {
    const n = this.instances.length;
    for (let at = start; ; ) {
      if (abort()) return undefined;
      const instance = this.instances[at % n] as Instance;
      const out = await attemptOnce(instance.api, path, body);
      if (out.kind !== 'retry') return { ...out, via: at % n };
      this.retries++;
      this.#count(`${instance.name}: POST ${path.replace(/[0-9a-f]{64}/, '{id}')} -> ${out.why}`);
      at++;
      // A full round without an answer: every instance is down or degraded; wait a little.
      if ((at - start) % n === 0) await sleep(50 + Math.random() * 50);
    }
  }
}

async function attemptOnce(api: Api, path: string, body: unknown): Promise<Outcome> {
  let r: { status: number; body: string };
  try {
    r = await api.call('POST', path, body);
  } catch (err) {
    return { kind: 'retry', why: messageOf(err).replace(/[0-9]+/g, 'N') };
  }
  if (r.status >= 200 && r.status <= 299) {
    return { kind: 'ok', status: r.status, body: JSON.parse(r.body) as Record<string, unknown> };
  }
  if (r.status === 503 || r.status === 429)
    return { kind: 'retry', why: `${r.status} ${envelopeMessage(r.body)}` };
  return { kind: 'refused', status: r.status, body: r.body };
}

/** The envelope's code and message, with the numbers blanked so alike answers count as one reason. */
function envelopeMessage(body: string): string {
  try {
    const e = JSON.parse(body) as { error?: { code?: string; message?: string } };
    return `${e.error?.code ?? ''}: ${e.error?.message ?? ''}`.replace(/[0-9]+/g, 'N').slice(0, 160);
  } catch {
    return body.slice(0, 80);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
