/**
 * Request bodies for both targets: vector seeds mutated, proposals that extend a known
 * head (signed by random TEST-ONLY keys, sometimes with one defect), fast-check
 * arbitraries, and garbage text.
 */
import type { HeadRef, Kind, Payload } from '../../src/core/index.js';
import { cosignArb, draw, proposalArb } from './arbitraries.js';
import { mutateText, mutateTree } from './mutate.js';
import type { Rng } from './rng.js';
import { FUZZ_GENESIS, FUZZ_KEYS, FUZZ_NOW, type JsonObject, type Seed, vectorSeeds } from './seeds.js';
import { serialize, type Tree, toTree } from './tree.js';

/** One decode input: JSON-serialisable, so a failure file replays it exactly. */
export interface DecodeInput {
  /** POST /proposals body text (attacker-controlled, maybe not JSON at all). */
  readonly proposal: string;
  /** POST /proposals/{id}/signatures body text, or no co-signing. */
  readonly cosign: string | null;
  /** The proposal to co-sign and apply; null: the one this input proposed. */
  readonly target: string | null;
  readonly apply: boolean;
}

const ENGINE_NOW = FUZZ_NOW;

export class BodyGenerator {
  readonly seeds: readonly Seed[] = vectorSeeds().seeds;
  readonly #donors: readonly Tree[] = this.seeds.map((s) => toTree(s.proposal));

  /** A decode input; `heads` and `pending` are the registry's as far as the caller knows. */
  input(rng: Rng, heads: ReadonlyMap<string, HeadRef>, pending: readonly string[]): DecodeInput {
    const proposal = rng.weighted<() => string>([
      [30, () => this.mutatedSeed(rng)],
      [8, () => JSON.stringify(rng.pick(this.seeds).proposal)],
      [30, () => this.extendHead(rng, heads)],
      [20, () => JSON.stringify(draw(proposalArb, rng.u32()))],
      [6, () => garbage(rng)],
    ])();
    const cosign = rng.weighted<() => string | null>([
      [5, () => null],
      [4, () => this.cosignFor(proposal, rng)],
      [2, () => JSON.stringify(draw(cosignArb, rng.u32()))],
      [1, () => (rng.chance(0.5) ? garbage(rng) : mutateText(this.cosignFor(proposal, rng), rng))],
    ])();
    const target = rng.weighted<() => string | null>([
      [16, () => null],
      [3, () => (pending.length === 0 ? null : rng.pick(pending))],
      [
        1,
        () => rng.pick(['', 'x', 'A'.repeat(64), rng.bytes(32).toString('hex'), '../apply', '0'.repeat(65)]),
      ],
    ])();
    return { proposal, cosign, target, apply: rng.chance(0.75) };
  }

  mutatedSeed(rng: Rng): string {
    let tree = mutateTree(toTree(rng.pick(this.seeds).proposal), rng, this.#donors);
    if (rng.chance(0.35)) tree = resign(tree, rng);
    const text = serialize(tree);
    return rng.chance(0.15) ? mutateText(text, rng) : text;
  }

  /** A proposal that extends a current head (or starts a new id), signed by random keys. */
  extendHead(rng: Rng, known: ReadonlyMap<string, HeadRef>): string {
    const heads = [...known.entries()];
    const fresh = heads.length === 0 || rng.chance(0.25);
    const [id, head] = fresh ? [freshId(rng), undefined] : rng.pick(heads);
    const kind: Kind = head?.kind ?? (rng.chance(0.85) ? 'service' : 'node');
    const payload: Record<string, unknown> = {
      id,
      version: (head?.version ?? 0) + 1,
      kind,
      body: bodyFor(kind, id, rng),
      prev: head?.digest ?? null,
      ts: ENGINE_NOW - rng.int(86_400_000),
    };
    if (kind !== 'governance' && rng.chance(0.1)) payload.deprecated = rng.chance(0.7);
    let tree: Tree = toTree({ descriptor: payload, signatures: signAll(payload, rng) });
    // A valid proposal with one defect, re-signed so the defect is what gets judged.
    if (rng.chance(0.3)) tree = resign(mutateTree(tree, rng, this.#donors, 1), rng);
    return serialize(tree);
  }

  cosignFor(proposalText: string, rng: Rng): string {
    let payload: unknown;
    try {
      payload = (JSON.parse(proposalText) as { descriptor?: unknown } | null)?.descriptor;
    } catch {
      payload = undefined;
    }
    const sigs = payload !== null && typeof payload === 'object' ? signAll(payload, rng) : [];
    const tree = toTree({ signatures: sigs });
    return serialize(rng.chance(0.3) ? mutateTree(tree, rng, this.#donors, 2) : tree);
  }
}

function freshId(rng: Rng): string {
  return rng.pick([`svc-${rng.int(50)}`, `node-${rng.int(20)}@eu-west-1`, `a.b_c:d-${rng.int(5)}`]);
}

function bodyFor(kind: Kind, id: string, rng: Rng): JsonObject {
  const endpoint = () => ({
    addr: `10.0.${rng.int(256)}.${rng.int(256)}:${rng.range(1, 65535)}`,
    tls: rng.chance(0.5),
    weight: rng.int(65536),
  });
  switch (kind) {
    case 'service':
      return {
        name: id,
        region: rng.pick(['us-east-1', 'eu-west-1']),
        endpoints: Array.from({ length: rng.range(1, 3) }, endpoint),
        ...(rng.chance(0.2) ? { labels: { tier: rng.pick(['gold', 'é😀', '']) } } : {}),
      };
    case 'node':
      return {
        region: 'eu-west-1',
        addr: endpoint().addr,
        ...(rng.chance(0.3) ? { capabilities: ['gpu'] } : {}),
      };
    case 'schema':
      return {
        format: 'json-schema',
        schema: {
          type: 'object',
          properties: { [id.slice(0, 8)]: { type: rng.pick(['string', 'number']) } },
        },
        ...(rng.chance(0.3) ? { compatibility: rng.pick(['NONE', 'FULL']) } : {}),
      };
    case 'region_map':
      return {
        regions: {
          [rng.pick(['us-east-1', 'eu-west-1'])]: { services: [{ id: `svc-${rng.int(50)}`, ...endpoint() }] },
        },
      };
    case 'governance': {
      const keys = FUZZ_KEYS.filter((k) => k.n !== 9 && rng.chance(0.6)).map((k) => k.key.signerId as string);
      const signers = keys.length === 0 ? [FUZZ_GENESIS.signers[0] as string] : keys;
      return { signers, threshold: rng.range(1, signers.length) };
    }
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/** Signatures over `payload` by a random subset of the TEST-ONLY keys (none if it cannot be signed). */
function signAll(payload: unknown, rng: Rng): unknown[] {
  const keys = FUZZ_KEYS.filter((k) => (k.n === 9 ? rng.chance(0.05) : rng.chance(0.6)));
  try {
    return keys.map((k) => k.sign(payload as Payload, ENGINE_NOW - rng.int(1000)));
  } catch {
    return [];
  }
}

/** Replaces the top-level `signatures` with fresh ones over whatever the descriptor now parses as. */
function resign(tree: Tree, rng: Rng): Tree {
  if (tree.t !== 'obj') return tree;
  const d = tree.entries.find(([k]) => k === '"descriptor"')?.[1];
  let payload: unknown;
  try {
    payload = d === undefined ? undefined : JSON.parse(serialize(d));
  } catch {
    return tree;
  }
  if (payload === null || typeof payload !== 'object') return tree;
  const sigs = toTree(signAll(payload, rng));
  const at = tree.entries.findIndex(([k]) => k === '"signatures"');
  if (at >= 0) tree.entries[at] = ['"signatures"', sigs];
  else tree.entries.push(['"signatures"', sigs]);
  return tree;
}

/** Text that is mostly not JSON: random bytes decoded as UTF-8, odd tokens, empty bodies. */
export function garbage(rng: Rng): string {
  return rng.weighted<() => string>([
    [3, () => rng.bytes(rng.int(64)).toString('utf8')],
    [2, () => rng.bytes(rng.int(64)).toString('latin1')],
    [1, () => ''],
    [
      1,
      () =>
        rng.pick([
          'null',
          'true',
          '0',
          '[]',
          '{}',
          '"x"',
          '1e400',
          '-0',
          '{"__proto__":{}}',
          '[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]',
        ]),
    ],
    [1, () => '['.repeat(rng.range(1, 100_000))],
    [1, () => `{"descriptor":${'{"a":'.repeat(rng.range(10, 5000))}1${'}'.repeat(5)}`],
    [1, () => `{"descriptor":"${String.fromCharCode(0xd800 + rng.int(0x800))}"}`],
  ])();
}
