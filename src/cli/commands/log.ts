import { digestOf, payloadOf, RegistryError, signingBytes } from '../../core/index.js';
import {
  appendLeaf,
  EMPTY_EDGE,
  edgeRoot,
  encodeBase64,
  entriesPath,
  formatTlogProof,
  hashEquals,
  leafHash,
  MAX_EXTRA_BYTES,
  noteVerifier,
  openCheckpoint,
  parseBundle,
  parseCheckpoint,
  parseNote,
  parseTlogProof,
  TILE_WIDTH,
  verifyTlogProof,
} from '../../core/tlog/index.js';
import { parseAppliedDescriptor } from '../../registry/entry.js';
import type { CommandSpec } from '../command.types.js';
import { readInput, writeOutput } from '../input-file.js';
import { UsageError } from '../usage-error.js';
import { optInt, optString, reqString } from '../values.js';
import { logGet, logText } from './log-fetch.js';

/** The log's key from a vkey, with its origin (the key name). */
function logVerifier(vkey: string) {
  try {
    return noteVerifier(vkey);
  } catch (err) {
    throw new UsageError(
      `--key is not a log vkey: ${(err as Error).message}`,
      'the log vkey: <origin>+<key id>+<base64>',
    );
  }
}

export const logCheckpoint: CommandSpec = {
  name: 'log checkpoint',
  summary: "Print the registry's signed transparency log checkpoint (verified with --key).",
  help: '  --key VKEY               the log vkey: verify the signature (else printed unverified)',
  options: { key: { type: 'string' } },
  network: true,
  async run(ctx) {
    const note = await logText(ctx, 'checkpoint');
    const key = optString(ctx.values, 'key');
    const cp =
      key === undefined
        ? parseCheckpoint(parseNote(note).text)
        : openCheckpoint(note, [logVerifier(key)], logVerifier(key).name).checkpoint;
    if (ctx.out.json) {
      ctx.out.value({
        origin: cp.origin,
        size: cp.size,
        root: encodeBase64(cp.rootHash),
        verified: key !== undefined,
        note,
      });
    } else {
      ctx.out.bytes(Buffer.from(note));
      if (key === undefined)
        ctx.out.note('not verified: pass --key VKEY (the log vkey) to check the signature');
    }
    return 0;
  },
};

export const logProof: CommandSpec = {
  name: 'log proof',
  summary: 'Write a tlog-proof of one log entry (inclusion in the served checkpoint), verifiable offline.',
  help: [
    '  --seq N                  the log entry (registry version) to prove (required)',
    '  --out FILE               where to write the proof (default stdout)',
    '  --leaf-out FILE          also write the leaf bytes (needed offline when over 4 KiB)',
  ].join('\n'),
  options: { seq: { type: 'string' }, out: { type: 'string' }, 'leaf-out': { type: 'string' } },
  network: true,
  async run(ctx) {
    const seq = optInt(ctx.values, 'seq', 1);
    if (seq === undefined) throw new UsageError('--seq N is required');
    const proof = parseTlogProof(await logText(ctx, `proof/inclusion?seq=${seq}`, 'text/plain'));
    const leaf = await leafOf(ctx, seq);
    // The leaf rides in tlog-proof's `extra` when it fits, so `log verify` needs nothing else.
    const text = formatTlogProof(leaf.length <= MAX_EXTRA_BYTES ? { ...proof, extra: leaf } : proof);
    const leafOut = optString(ctx.values, 'leaf-out');
    if (leafOut !== undefined) writeOutput(leafOut, leaf);
    const out = optString(ctx.values, 'out');
    if (out === undefined) ctx.out.bytes(Buffer.from(text));
    else writeOutput(out, text);
    return 0;
  },
};

/** The leaf bytes of seq, from its entry bundle (the rightmost one may be partial). */
async function leafOf(ctx: Parameters<CommandSpec['run']>[0], seq: number): Promise<Uint8Array> {
  const index = Math.floor((seq - 1) / TILE_WIDTH);
  const size = parseCheckpoint(parseNote(await logText(ctx, 'checkpoint')).text).size;
  const width = Math.min(TILE_WIDTH, size - index * TILE_WIDTH);
  const bundle = parseBundle(await logGet(ctx, entriesPath(index, width)), width);
  const leaf = bundle[(seq - 1) % TILE_WIDTH];
  if (leaf === undefined) throw new RegistryError('NotFound', `no log entry ${seq}`);
  return leaf;
}

export const logVerify: CommandSpec = {
  name: 'log verify',
  summary: 'Verify a tlog-proof offline: the checkpoint signature and the inclusion of the entry.',
  help: [
    '  --proof FILE             the tlog-proof (from `registry log proof`) (required)',
    '  --key VKEY               the log vkey (required)',
    '  --leaf FILE              the leaf bytes, when the proof carries none',
  ].join('\n'),
  options: { proof: { type: 'string' }, key: { type: 'string' }, leaf: { type: 'string' } },
  async run(ctx) {
    const proof = parseTlogProof(readInput(reqString(ctx.values, 'proof')).toString('utf8'));
    const verifier = logVerifier(reqString(ctx.values, 'key'));
    const leafPath = optString(ctx.values, 'leaf');
    const leaf = leafPath === undefined ? proof.extra : new Uint8Array(readInput(leafPath));
    if (leaf === undefined) throw new UsageError('the proof carries no leaf: pass --leaf FILE');
    const opened = verifyTlogProof(proof, leafHash(leaf), [verifier], verifier.name);
    const { entry } = JSON.parse(Buffer.from(leaf).toString('utf8')) as { entry: Record<string, unknown> };
    if (entry.seq !== proof.index + 1) {
      throw new RegistryError(
        'BadSignature',
        `the leaf is seq ${String(entry.seq)}, the proof is for index ${proof.index}`,
      );
    }
    const result = {
      verified: true,
      seq: proof.index + 1,
      size: opened.checkpoint.size,
      root: encodeBase64(opened.checkpoint.rootHash),
      entry,
    };
    if (ctx.out.json) ctx.out.value(result);
    else {
      ctx.out.line(
        `verified: seq ${result.seq} is in ${verifier.name} at size ${result.size} (root ${result.root})`,
      );
      ctx.out.line(
        `entry: ${String(entry.type)} ${String(entry.descriptor_id)} v${String(entry.version)} ${String(entry.digest)}`,
      );
    }
    return 0;
  },
};

export const logAudit: CommandSpec = {
  name: 'log audit',
  summary: 'Rebuild the whole tree from the entry bundles and check it against the signed checkpoint.',
  help: '  --key VKEY               the log vkey (required)',
  options: { key: { type: 'string' } },
  network: true,
  async run(ctx) {
    const verifier = logVerifier(reqString(ctx.values, 'key'));
    const { checkpoint } = openCheckpoint(await logText(ctx, 'checkpoint'), [verifier], verifier.name);
    let edge = EMPTY_EDGE;
    for (let index = 0; index * TILE_WIDTH < checkpoint.size; index++) {
      const width = Math.min(TILE_WIDTH, checkpoint.size - index * TILE_WIDTH);
      const leaves = parseBundle(await logGet(ctx, entriesPath(index, width)), width);
      for (const [i, leaf] of leaves.entries()) {
        checkLeaf(leaf, index * TILE_WIDTH + i + 1);
        edge = appendLeaf(edge, leafHash(leaf)).edge;
      }
    }
    const root = edgeRoot(edge);
    const ok = hashEquals(root, checkpoint.rootHash);
    const result = {
      ok,
      size: checkpoint.size,
      root: encodeBase64(root),
      checkpoint_root: encodeBase64(checkpoint.rootHash),
    };
    if (ctx.out.json) ctx.out.value(result);
    else
      ctx.out.line(
        ok
          ? `ok: ${checkpoint.size} entries rebuild the signed root ${result.root}`
          : `MISMATCH: rebuilt ${result.root}, signed ${result.checkpoint_root}`,
      );
    return ok ? 0 : 1;
  },
};

/** Each leaf names its own seq and a descriptor whose digest it records (SPEC §13 leaf). */
function checkLeaf(leaf: Uint8Array, seq: number): void {
  const { entry, descriptor } = JSON.parse(Buffer.from(leaf).toString('utf8')) as {
    entry: { seq: number; digest: string };
    descriptor: unknown;
  };
  if (entry.seq !== seq) throw new RegistryError('BadSignature', `leaf ${seq - 1} is seq ${entry.seq}`);
  const digest = digestOf(
    signingBytes(payloadOf(parseAppliedDescriptor(Buffer.from(JSON.stringify(descriptor))))),
  );
  if (digest !== entry.digest)
    throw new RegistryError(
      'BadSignature',
      `seq ${seq}: descriptor digest ${digest} is not the logged ${entry.digest}`,
    );
}
