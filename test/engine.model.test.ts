import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Descriptor,
  type Governance,
  governanceOf,
  type HeadRef,
  isRegistryError,
  type Payload,
  parseDescriptor,
  type SigningKey,
  signPayload,
  verifyDescriptor,
} from '../src/core/index.js';
import type { ApplyResult, Registry } from '../src/registry/index.js';
import { KEYS, NOW, openTestRegistry, servicePayload } from './helpers/fixtures.js';

const IDS = ['svc-a', 'svc-b', 'svc-c'] as const;

type Op =
  | { op: 'propose'; id: number; signers: number[]; deprecate: boolean; stale: boolean }
  | { op: 'cosign'; proposal: number; signer: number }
  | { op: 'apply'; proposal: number }
  | { op: 'rotate'; members: number[]; threshold: number; signers: number[] };

const keyIndex = fc.integer({ min: 0, max: KEYS.length - 1 });
// Mostly signers of the genesis set (so quorums are met and applies happen), sometimes anyone.
const signerSet = fc.oneof(
  { arbitrary: fc.uniqueArray(fc.integer({ min: 0, max: 2 }), { minLength: 2, maxLength: 3 }), weight: 4 },
  { arbitrary: fc.uniqueArray(keyIndex, { minLength: 0, maxLength: 5 }), weight: 1 },
);
const recent = fc.integer({ min: 0, max: 3 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('propose' as const),
      id: fc.integer({ min: 0, max: IDS.length - 1 }),
      signers: signerSet,
      deprecate: fc.boolean(),
      stale: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ op: fc.constant('cosign' as const), proposal: fc.nat(), signer: keyIndex }),
    weight: 2,
  },
  { arbitrary: fc.record({ op: fc.constant('apply' as const), proposal: recent }), weight: 5 },
  {
    arbitrary: fc.record({
      op: fc.constant('rotate' as const),
      members: fc.uniqueArray(keyIndex, { minLength: 1, maxLength: 5 }),
      threshold: fc.integer({ min: 1, max: 3 }),
      signers: signerSet,
    }),
    weight: 1,
  },
);

const EXPECTED_REFUSALS = new Set(['StaleVersion', 'NoQuorum', 'NotFound', 'BadSignature']);

interface Run {
  readonly registry: Registry;
  readonly proposals: Array<{ id: string; payload: Payload }>;
  readonly acks: ApplyResult[];
}

function sign(payload: Payload, idx: readonly number[]) {
  return idx.map((i) => signPayload(payload, KEYS[i] as SigningKey, NOW));
}

async function step(run: Run, o: Op): Promise<void> {
  const { registry } = run;
  switch (o.op) {
    case 'propose': {
      const id = IDS[o.id] as string;
      const head = registry.snapshot.get(id);
      // A stale proposal targets the version the head already has.
      const version = head === undefined ? 1 : o.stale ? head.version : head.version + 1;
      const prev = version === 1 ? null : (head?.digest ?? null);
      const payload = servicePayload(id, version, prev, o.deprecate ? { deprecated: true } : {});
      const s = await registry.propose({ descriptor: payload, signatures: sign(payload, o.signers) });
      run.proposals.push({ id: s.proposal_id, payload });
      return;
    }
    case 'rotate': {
      const head = registry.head('governance');
      const members = o.members.map((i) => (KEYS[i] as SigningKey).signerId);
      const payload: Payload = {
        id: 'governance',
        version: head.version + 1,
        kind: 'governance',
        prev: head.digest,
        ts: NOW,
        body: { signers: members, threshold: Math.min(o.threshold, members.length) },
      };
      const s = await registry.propose({ descriptor: payload, signatures: sign(payload, o.signers) });
      run.proposals.push({ id: s.proposal_id, payload });
      return;
    }
    case 'cosign': {
      const p = run.proposals[run.proposals.length - 1 - o.proposal];
      if (p === undefined) return;
      await registry.cosign(p.id, { signatures: sign(p.payload, [o.signer]) });
      return;
    }
    case 'apply': {
      const p = run.proposals[run.proposals.length - 1 - o.proposal];
      if (p === undefined) return;
      run.acks.push(await registry.apply(p.id, 'model'));
      return;
    }
    default: {
      const never: never = o;
      throw new Error(`unknown op ${String(never)}`);
    }
  }
}

/** Replays the whole log with the core's verifier, as a watcher or a mirror would. */
async function checkLog(registry: Registry): Promise<void> {
  const log = await registry.store.log(0, 1_000_000);
  expect(log.map((e) => e.seq)).toEqual(Array.from({ length: registry.version }, (_, i) => i + 1));
  let gov: Governance = { signers: new Set(), threshold: 1, version: 0 };
  const heads = new Map<string, HeadRef>();
  for (const e of log) {
    const raw = await registry.store.descriptor(e.descriptor_id, e.version);
    expect(raw, `desc ${e.descriptor_id} v${e.version}`).toBeDefined();
    const d: Descriptor = parseDescriptor(JSON.parse(Buffer.from(raw as Uint8Array).toString()), NOW);
    if (e.seq === 1) {
      expect(d).toMatchObject({ id: 'governance', version: 1, signatures: [] });
      gov = governanceOf(d as Payload & { kind: 'governance' });
      heads.set('governance', { version: 1, digest: e.digest, kind: 'governance' });
      continue;
    }
    const v = verifyDescriptor(d, gov, heads.get(d.id));
    expect(v.digest).toBe(e.digest);
    expect(e.type).toBe(d.deprecated === true ? 'deprecated' : 'published');
    gov = v.governance;
    heads.set(d.id, { version: d.version, digest: v.digest, kind: d.kind });
  }
  for (const [id, h] of heads) {
    expect(registry.head(id)).toMatchObject({ version: h.version, digest: h.digest });
  }
  expect(registry.snapshot.heads.size).toBe(heads.size);
}

/** Groups the acknowledgements by seq: every seq after genesis has acks, all naming its log entry. */
async function checkAcks(registry: Registry, acks: readonly ApplyResult[]): Promise<void> {
  const log = await registry.store.log(0, 1_000_000);
  const bySeq = new Map<number, ApplyResult[]>();
  for (const a of acks) bySeq.set(a.version, [...(bySeq.get(a.version) ?? []), a]);
  expect([...bySeq.keys()].sort((x, y) => x - y)).toEqual(log.slice(1).map((e) => e.seq));
  for (const [seq, group] of bySeq) {
    const e = log[seq - 1];
    const named = group.map((a) => `${a.descriptor_id} v${a.descriptor_version} ${a.digest}`);
    expect(new Set(named), `acks at seq ${seq}`).toEqual(
      new Set([`${e?.descriptor_id} v${e?.version} ${e?.digest}`]),
    );
  }
}

describe('engine model', () => {
  it('keeps the registry invariants under random concurrent propose/cosign/apply/deprecate/rotate', async () => {
    let applied = 0;
    let rotated = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(opArb, { minLength: 1, maxLength: 4 }), { minLength: 5, maxLength: 30 }),
        async (waves) => {
          const { registry } = await openTestRegistry();
          const run: Run = { registry, proposals: [], acks: [] };
          try {
            for (const wave of waves) {
              const results = await Promise.allSettled(wave.map((o) => step(run, o)));
              for (const r of results) {
                if (r.status === 'rejected') {
                  // Every refusal is a typed SPEC error a client can act on, never a crash.
                  expect(isRegistryError(r.reason), String(r.reason)).toBe(true);
                  expect(EXPECTED_REFUSALS.has(r.reason.code), r.reason.message).toBe(true);
                }
              }
            }
            // Every acknowledged apply is readable at the version it was acknowledged with.
            for (const a of run.acks) {
              expect((await registry.at(a.descriptor_id, a.descriptor_version)).digest).toBe(a.digest);
            }
            // Each seq was acknowledged to exactly one applied descriptor, the one the log holds
            // there (a repeated apply answers the same seq and digest): group the acks by seq so
            // two different digests acknowledged at one seq cannot collapse into one.
            await checkAcks(registry, run.acks);
            await checkLog(registry);
            applied += registry.version - 1;
            if (registry.snapshot.governance.version > 1) rotated++;
          } finally {
            await registry.close();
          }
        },
      ),
      { numRuns: 80 },
    );
    // Guard against a vacuous run: the generator must reach applies and rotations.
    expect(applied).toBeGreaterThan(80);
    expect(rotated).toBeGreaterThan(5);
  });
});
