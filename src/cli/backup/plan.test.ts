import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestOf, signingBytes } from '../../core/index.js';
import { type LiveHead, planChanges } from './plan.js';
import type { ReadFile } from './topology-dir.js';

const NOW = 1_795_000_000_000;
const DIGEST = 'a'.repeat(64);

const body = (addr: string, weight: number) => ({
  name: 'svc',
  region: 'us-east-1',
  endpoints: [{ addr, tls: true, weight }],
});

const headArb = fc.record({
  id: fc.stringMatching(/^svc-[a-z0-9]{1,12}$/),
  version: fc.integer({ min: 1, max: 1000 }),
  deprecated: fc.boolean(),
  weight: fc.integer({ min: 0, max: 65535 }),
});

function headsOf(list: readonly { id: string; version: number; deprecated: boolean; weight: number }[]) {
  const heads = new Map<string, LiveHead>();
  for (const h of list) {
    heads.set(h.id, { ...h, kind: 'service', digest: DIGEST, body: body('10.0.0.1:443', h.weight) });
  }
  return heads;
}

const fileOf = (h: LiveHead): ReadFile => ({
  id: h.id,
  kind: h.kind,
  body: h.body,
  deprecated: h.deprecated,
  file: `${h.id}.json`,
});

describe('planChanges', () => {
  describe('when every file is its head', () => {
    it('plans only unchanged, with or without --prune', () => {
      fc.assert(
        fc.property(fc.array(headArb, { maxLength: 20 }), fc.boolean(), (list, prune) => {
          const heads = headsOf(list);
          const files = new Map([...heads.values()].map((h) => [h.id, fileOf(h)]));
          const plan = planChanges(files, heads, { prune, now: NOW });
          return plan.untracked.length === 0 && plan.items.every((i) => i.action === 'unchanged');
        }),
      );
    });
  });

  describe('when a body changes', () => {
    it('drafts head + 1 over the head digest, whose proposal_id is its digest', () => {
      fc.assert(
        fc.property(headArb, fc.integer({ min: 0, max: 65535 }), (h, weight) => {
          fc.pre(weight !== h.weight);
          const heads = headsOf([h]);
          const head = heads.get(h.id) as LiveHead;
          const files = new Map([[h.id, { ...fileOf(head), body: body('10.0.0.1:443', weight) }]]);
          const [item] = planChanges(files, heads, { prune: false, now: NOW }).items;
          expect(item?.action).toBe('update');
          expect(item?.draft).toMatchObject({ version: h.version + 1, prev: DIGEST, ts: NOW });
          expect(item?.proposal_id).toBe(item?.draft && digestOf(signingBytes(item.draft)));
        }),
      );
    });
  });

  describe('when a head has no file', () => {
    it('deprecates it only with --prune, never governance, and leaves a deprecated one alone', () => {
      const heads = headsOf([
        { id: 'svc-live', version: 2, deprecated: false, weight: 1 },
        { id: 'svc-gone', version: 3, deprecated: true, weight: 1 },
      ]);
      heads.set('governance', {
        id: 'governance',
        kind: 'governance',
        version: 1,
        digest: DIGEST,
        deprecated: false,
        body: { signers: [], threshold: 1 },
      });
      expect(planChanges(new Map(), heads, { prune: false, now: NOW }).untracked).toEqual([
        'governance',
        'svc-gone',
        'svc-live',
      ]);
      const pruned = planChanges(new Map(), heads, { prune: true, now: NOW });
      expect(pruned.untracked).toEqual(['governance']);
      expect(pruned.items.map((i) => `${i.action} ${i.id} v${i.version}`)).toEqual([
        'unchanged svc-gone v3',
        'deprecate svc-live v3',
      ]);
      expect(pruned.items[1]?.draft).toMatchObject({ deprecated: true, body: body('10.0.0.1:443', 1) });
    });
  });
});
