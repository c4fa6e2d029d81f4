/**
 * The cost the transparency log adds per applied entry (SPEC §13): hashing a leaf
 * (SHA-256(0x00 ‖ leaf)) and appending it to the tree's right edge (on average one more
 * node hash, plus the bookkeeping), against the bare baseline of one raw SHA-256 over the
 * same leaf bytes, in the same run (STYLE.md §9). Standalone: `npx tsx bench/tlog-core.ts`
 * (optional argument: leaf size in bytes, default 1,500, about one entry with its descriptor).
 */
import { createHash } from 'node:crypto';
import { appendLeaf, EMPTY_EDGE, edgeRoot, leafHash, type TreeEdge } from '../src/core/tlog/index.js';
import { median, race, ratioOfRounds } from './measure.js';

const leafBytes = Number(process.argv[2] ?? 1500);
const leaves = Array.from({ length: 1024 }, (_, i) => {
  const b = Buffer.alloc(leafBytes, i % 251);
  b.writeUInt32BE(i, 0);
  return new Uint8Array(b);
});
const leafAt = (i: number): Uint8Array => leaves[i % leaves.length] as Uint8Array;

let sink = 0;
let edge: TreeEdge = EMPTY_EDGE;
const rounds = race(
  [
    {
      label: 'raw sha256',
      op: (i) => {
        sink ^= createHash('sha256').update(leafAt(i)).digest()[0] as number;
        return true;
      },
    },
    {
      label: 'leaf hash + edge append',
      op: (i) => {
        edge = appendLeaf(edge, leafHash(leafAt(i))).edge;
        return edge.size > 0;
      },
    },
  ],
  { rounds: 5, roundMs: 600, batch: 256 },
);

const raw = rounds.get('raw sha256') ?? [];
const tlog = rounds.get('leaf hash + edge append') ?? [];
const us = (opsPerSecond: number): string => `${(1e6 / opsPerSecond).toFixed(2)} µs`;
console.log(
  `leaf size ${leafBytes} bytes, tree grown to ${edge.size} leaves (root ${Buffer.from(edgeRoot(edge)).toString('hex').slice(0, 16)}…)`,
);
console.log(`raw sha256:              ${Math.round(median(raw))} ops/s (${us(median(raw))} per leaf)`);
console.log(`leaf hash + edge append: ${Math.round(median(tlog))} ops/s (${us(median(tlog))} per leaf)`);
console.log(
  `ratio (raw / tlog, median of rounds): ${ratioOfRounds(raw, tlog).toFixed(2)}× ${sink < 0 ? '' : ''}`,
);
