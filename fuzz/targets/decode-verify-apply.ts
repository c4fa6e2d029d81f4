/**
 * Target `decode`: request text → parseJsonText → propose → cosign → apply on an
 * in-memory registry, against a model of its state.
 *
 * Invariants (SPEC §2, §3, §5):
 * - every step ends accepted or as a RegistryError whose code is a SPEC code the engine
 *   may answer; never another exception type, never over the per-step time budget;
 * - a refused step changes nothing: registry version, heads, pending-proposal count and
 *   the target proposal's signatures are as before;
 * - an accepted step changes exactly what the model predicts (proposal_id = digest of the
 *   signing bytes; apply advances the version by one and installs that head);
 * - every applied descriptor's stored bytes parse strictly and re-verify under the
 *   governance of that moment, as a mirror would check them (SPEC §11).
 */
import {
  digestOf,
  type ErrorCode,
  type Governance,
  type HeadRef,
  type Payload,
  parseDescriptor,
  parseJsonText,
  signingBytes,
  verifyDescriptor,
} from '../../src/core/index.js';
import { Registry } from '../../src/registry/index.js';
import { openMemoryStore } from '../../src/store/index.js';
import { BodyGenerator, type DecodeInput } from '../lib/bodies.js';
import { type FuzzTarget, shrinkText } from '../lib/driver.js';
import { expect, InvariantFailure, type Outcome, step } from '../lib/outcome.js';
import type { Rng } from '../lib/rng.js';
import { FUZZ_GENESIS, FUZZ_NOW } from '../lib/seeds.js';

export type { DecodeInput };

/** The steps the engine may refuse with; anything else from it is a defect. */
const ENGINE_CODES: ReadonlySet<ErrorCode> = new Set([
  'BadRequest',
  'NotFound',
  'StaleVersion',
  'NoQuorum',
  'BadSignature',
]);

/** Generous for a shared 2-core VM; a real hang is seconds or forever. */
export const STEP_BUDGET_MS = 2000;

interface Model {
  version: number;
  readonly heads: Map<string, HeadRef>;
  readonly pending: Set<string>;
}

const ENGINE_NOW = FUZZ_NOW;

interface Observed {
  readonly version: number;
  readonly pending: number;
  readonly heads: number;
}

export class DecodeTarget implements FuzzTarget<DecodeInput> {
  readonly name = 'decode';
  readonly batchSize = 2000;
  #registry!: Registry;
  #model!: Model;
  readonly #bodies = new BodyGenerator();
  readonly #budgetMs: number;

  private constructor(budgetMs: number) {
    this.#budgetMs = budgetMs;
  }

  static async create(opts: { budgetMs?: number } = {}): Promise<DecodeTarget> {
    const t = new DecodeTarget(opts.budgetMs ?? STEP_BUDGET_MS);
    await t.reset();
    return t;
  }

  /** A fresh registry (genesis only) and model: called between batches. */
  async reset(): Promise<void> {
    await this.#registry?.close();
    this.#registry = await Registry.open(await openMemoryStore(), {
      genesis: FUZZ_GENESIS,
      now: () => ENGINE_NOW,
    });
    this.#model = { version: this.#registry.version, heads: new Map(), pending: new Set() };
    for (const e of this.#registry.snapshot.heads.values()) {
      this.#model.heads.set(e.id, { version: e.version, digest: e.digest, kind: e.kind });
    }
  }

  async close(): Promise<void> {
    await this.#registry.close();
  }

  get registry(): Registry {
    return this.#registry;
  }

  generate(rng: Rng): DecodeInput {
    return this.#bodies.input(rng, this.#model.heads, [...this.#model.pending]);
  }

  // ---- execution ----

  /** Runs one input; throws InvariantFailure when an invariant breaks. */
  async run(input: DecodeInput): Promise<Outcome> {
    const r = this.#registry;
    const budget = this.#budgetMs;
    let outcome: Outcome;
    let ownPid: string | undefined;

    const parsed = await step('parse proposal', budget, () => parseJsonText(input.proposal));
    if (parsed.ok) {
      const before = this.#observe();
      const proposed = await step('propose', budget, () => r.propose(parsed.value));
      if (proposed.ok) {
        const pid = proposed.value.proposal_id;
        const payload = (parsed.value as { descriptor: Payload }).descriptor;
        expect(
          pid === digestOf(signingBytes(payload)),
          () => `propose: proposal_id ${pid} is not the digest`,
        );
        this.#model.pending.add(pid);
        ownPid = pid;
        outcome = 'accepted';
      } else {
        this.#engineCode('propose', proposed.code);
        outcome = proposed.code;
      }
      this.#assertModel('propose', before, undefined);
    } else {
      outcome = parsed.code;
    }

    const target = input.target ?? ownPid;
    if (target === undefined) return outcome;

    if (input.cosign !== null) {
      const text = input.cosign;
      const before = this.#observe();
      const sigsBefore = await this.#signatureCount(target);
      const body = await step('parse cosign', budget, () => parseJsonText(text));
      const cosigned = body.ok ? await step('cosign', budget, () => r.cosign(target, body.value)) : undefined;
      if (cosigned !== undefined && !cosigned.ok) this.#engineCode('cosign', cosigned.code);
      const sigsAfter = await this.#signatureCount(target);
      if (cosigned?.ok === true) {
        expect(
          cosigned.value.proposal_id === target,
          () => `cosign answered for ${cosigned.value.proposal_id}`,
        );
        expect(sigsAfter >= sigsBefore, () => `cosign dropped signatures (${sigsBefore} → ${sigsAfter})`);
      } else {
        expect(
          sigsAfter === sigsBefore,
          () => `refused cosign changed the signatures (${sigsBefore} → ${sigsAfter})`,
        );
      }
      this.#assertModel('cosign', before, undefined);
    }

    if (input.apply) {
      const before = this.#observe();
      const governance = r.snapshot.governance;
      const applied = await step('apply', budget, () => r.apply(target, 'fuzz'));
      if (applied.ok) {
        const a = applied.value;
        expect(a.digest === target, () => `apply answered digest ${a.digest} for ${target}`);
        if (this.#model.pending.delete(target)) {
          const prior = this.#model.heads.get(a.descriptor_id);
          this.#model.version += 1;
          expect(
            a.version === this.#model.version,
            () => `apply: version ${a.version}, model ${this.#model.version}`,
          );
          this.#model.heads.set(a.descriptor_id, {
            version: a.descriptor_version,
            digest: a.digest,
            kind: r.head(a.descriptor_id).kind,
          });
          this.#assertStored(a.descriptor_id, governance, prior);
          if (target === ownPid) outcome = 'applied';
        }
      } else {
        this.#engineCode('apply', applied.code);
      }
      this.#assertModel('apply', before, applied.ok ? applied.value.descriptor_id : undefined);
    }
    return outcome;
  }

  async replay(input: DecodeInput): Promise<string | undefined> {
    try {
      await this.run(input);
      return undefined;
    } catch (err) {
      if (err instanceof InvariantFailure) return err.message;
      throw err;
    }
  }

  *shrink(input: DecodeInput): Iterable<DecodeInput> {
    if (input.apply) yield { ...input, apply: false };
    if (input.cosign !== null) yield { ...input, cosign: null };
    for (const proposal of shrinkText(input.proposal)) yield { ...input, proposal };
    if (input.cosign !== null) for (const cosign of shrinkText(input.cosign)) yield { ...input, cosign };
  }

  async endBatch(): Promise<void> {
    this.assertHeads();
  }

  /** Every head of the registry equals the model's. */
  assertHeads(): void {
    const heads = this.#registry.snapshot.heads;
    expect(
      heads.size === this.#model.heads.size,
      () => `heads: ${heads.size}, model ${this.#model.heads.size}`,
    );
    for (const [id, m] of this.#model.heads) {
      const e = heads.get(id);
      expect(
        e !== undefined && e.version === m.version && e.digest === m.digest,
        () => `head ${id}: v${e?.version} ${e?.digest}, model v${m.version} ${m.digest}`,
      );
    }
  }

  #engineCode(what: string, code: ErrorCode): void {
    expect(ENGINE_CODES.has(code), () => `${what}: the engine answered ${code}, which no input should cause`);
  }

  #observe(): Observed {
    const r = this.#registry;
    return { version: r.version, pending: r.pendingCount, heads: r.snapshot.heads.size };
  }

  /** Registry and model agree after a step; `changed` is the id an accepted apply moved. */
  #assertModel(what: string, before: Observed, changed: string | undefined): void {
    const now = this.#observe();
    const m = this.#model;
    const state = () =>
      `${what}: registry {version ${before.version}→${now.version}, pending ${before.pending}→${now.pending}, heads ${before.heads}→${now.heads}}, model {version ${m.version}, pending ${m.pending.size}, heads ${m.heads.size}}`;
    expect(now.version === m.version && now.pending === m.pending.size && now.heads === m.heads.size, state);
    if (changed !== undefined) {
      const e = this.#registry.snapshot.get(changed);
      const h = m.heads.get(changed);
      expect(
        e?.version === h?.version && e?.digest === h?.digest,
        () => `${what}: head ${changed} differs from the model`,
      );
    }
  }

  async #signatureCount(pid: string): Promise<number> {
    if (!this.#model.pending.has(pid)) return -1;
    return (await this.#registry.proposal(pid)).signatures.length;
  }

  /** The stored bytes of a new head parse strictly and verify as a mirror would check them. */
  #assertStored(id: string, governance: Governance, prior: HeadRef | undefined): void {
    const entry = this.#registry.head(id);
    try {
      const d = parseDescriptor(JSON.parse(entry.bytes.toString('utf8')), ENGINE_NOW);
      const v = verifyDescriptor(d, governance, prior);
      expect(v.digest === entry.digest, () => `stored ${id}: digest ${v.digest} ≠ entry ${entry.digest}`);
    } catch (err) {
      if (err instanceof InvariantFailure) throw err;
      throw new InvariantFailure(
        `stored ${id} v${entry.version} does not re-verify: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }
}
