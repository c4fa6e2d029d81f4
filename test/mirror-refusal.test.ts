/**
 * SPEC §11 refusals: a mirror following a hostile upstream refuses every forgery the
 * watcher does (bad signature, a signer removed by a rotation, a skipped seq, a replayed
 * old version, a log head going back), keeps its last good view, reports `untrusted` with
 * the seq and why, and trusts again once the upstream serves a log that verifies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Descriptor, Payload } from '../src/core/index.js';
import { Mirror, type MirrorReport, type RefusalReason } from '../src/mirror/index.js';
import { mirrorMode, Registry } from '../src/registry/index.js';
import { GENESIS, KEYS, openMemoryStore, servicePayload } from './helpers/fixtures.js';
import {
  type CannedEntry,
  digest,
  genesisDescriptor,
  type HostileRegistry,
  log,
  signed,
  startHostileRegistry,
} from './helpers/hostile-registry.js';

const [K0, K1, , K3, K4] = KEYS;
const g = genesisDescriptor();
const a1 = signed(servicePayload('svc-a'), [K0, K1]);
const a2 = signed(servicePayload('svc-a', 2, digest(a1)), [K0, K1]);
const GOOD = log(g, a1, a2);

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface Followed {
  readonly mirror: Mirror;
  readonly registry: Registry;
  readonly hostile: HostileRegistry;
  readonly lines: string[];
  readonly refused: RefusalReason[];
}

async function follow(
  entries: readonly CannedEntry[],
  registry?: Registry,
  now?: () => number,
): Promise<Followed> {
  const hostile = await startHostileRegistry(entries);
  const r =
    registry ?? (await Registry.open(await openMemoryStore(), { genesis: GENESIS, mode: mirrorMode }));
  const lines: string[] = [];
  const refused: RefusalReason[] = [];
  const line = (obj: object, msg: string) => lines.push(`${JSON.stringify(obj)} ${msg}`);
  const mirror = new Mirror({
    upstream: hostile.url,
    genesis: GENESIS,
    registry: r,
    logger: { info: line, warn: line, error: line },
    onRefused: (reason) => refused.push(reason),
    backoff: { initialMs: 5, maxMs: 20 },
    ...(now === undefined ? {} : { now }),
  }).start();
  cleanup.push(async () => {
    await mirror.close();
    await hostile.close();
  });
  return { mirror, registry: r, hostile, lines, refused };
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const untrusted = (f: Followed) => () => f.mirror.report().upstream === 'untrusted';

/** Caught up on the good log, then the upstream turns hostile: the view stays at seq 3. */
async function refusedAfterGood(
  bad: readonly CannedEntry[],
  lastGood = 3,
): Promise<Followed & { report: MirrorReport }> {
  const f = await follow(GOOD);
  await until('catch-up', () => f.mirror.report().caughtUp);
  expect(f.mirror.report()).toMatchObject({ upstream: 'ok', lagSeqs: 0 });
  f.hostile.replace(bad);
  await until('refusal', untrusted(f));
  await until(`seq ${lastGood} committed`, () => f.registry.version === lastGood);
  expect(f.registry.head('svc-a').version).toBe(2);
  return { ...f, report: f.mirror.report() };
}

describe('mirror refuses a hostile upstream and keeps its last good view', () => {
  it('a bad signature', async () => {
    const b = signed(servicePayload('svc-b'), [K0, K1]) as Descriptor & { signatures: { sig: string }[] };
    const forged = {
      ...b,
      signatures: b.signatures.map((s, i) =>
        i === 0 ? { ...s, sig: (b.signatures[1] as { sig: string }).sig } : s,
      ),
    } as Descriptor;
    const f = await refusedAfterGood([...GOOD, { seq: 4, descriptor: forged }]);
    expect(f.report.refusedSeq).toBe(4);
    expect(f.refused[0]).toBe('verify');
    expect(f.lines.join('\n')).toMatch(/mirror refused upstream seq 4 \(verify\): .*invalid signature/);
    expect(() => f.registry.head('svc-b')).toThrow();
  });

  it('a descriptor signed by a signer a rotation removed', async () => {
    const rotation = signed(
      {
        id: 'governance',
        version: 2,
        kind: 'governance',
        prev: digest(g),
        ts: g.ts,
        body: { signers: [K3.signerId, K4.signerId], threshold: 2 },
      } as Payload,
      [K0, K1, K3, K4],
    );
    const byOld = signed(servicePayload('svc-b'), [K0, K1]);
    const f = await refusedAfterGood(
      [...GOOD, ...log(rotation, byOld).map((e) => ({ ...e, seq: e.seq + 3 }))],
      4,
    );
    expect(f.report.refusedSeq).toBe(5);
    expect(f.registry.snapshot.governance.signers.has(K0.signerId)).toBe(false);
    expect(f.refused[0]).toBe('verify');
    expect(f.lines.join('\n')).toMatch(/"code":"BadSignature".* seq 5 \(verify\)/);
  });

  it('a skipped seq', async () => {
    const b = signed(servicePayload('svc-b'), [K0, K1]);
    const f = await refusedAfterGood([...GOOD, { seq: 5, descriptor: b }]);
    expect(f.report.refusedSeq).toBe(5);
    expect(f.refused[0]).toBe('seq');
    expect(f.lines.join('\n')).toMatch(/mirror refused upstream seq 5 \(seq\): seq 5 skips 1 entry/);
  });

  it('a replayed old version', async () => {
    const f = await refusedAfterGood([...GOOD, { seq: 4, descriptor: a1 }]);
    expect(f.report.refusedSeq).toBe(4);
    expect(f.refused[0]).toBe('version');
    expect(f.lines.join('\n')).toMatch(/seq 4 \(version\): .*svc-a version 1 does not extend/);
  });

  it('an upstream whose log head went back', async () => {
    const f = await refusedAfterGood(log(g, a1));
    expect(f.refused[0]).toBe('behind');
    expect(f.lines.join('\n')).toMatch(/log head 2 is behind the mirrored seq 3/);
  });

  it('bytes that are not the JCS form, or a descriptor the log does not name', async () => {
    const b = signed(servicePayload('svc-b'), [K0, K1]);
    const f = await refusedAfterGood([...GOOD, { seq: 4, descriptor: b, data: { digest: digest(a1) } }]);
    expect(f.refused[0]).toBe('verify');
    expect(f.lines.join('\n')).toMatch(/seq 4 \(verify\).*not the logged one/);
  });

  it('trusts again once the upstream serves a log that verifies, and resumes from its seq', async () => {
    const b = signed(servicePayload('svc-b'), [K0, K1]);
    const f = await refusedAfterGood([...GOOD, { seq: 5, descriptor: b }]);
    const watchesBefore = f.hostile.watches();
    f.hostile.replace([...GOOD, { seq: 4, descriptor: b }]);
    await until('trusted again', () => f.mirror.report().upstream === 'ok' && f.registry.version === 4);
    expect(f.hostile.watches()).toBeGreaterThan(watchesBefore);
    expect(f.registry.head('svc-b').digest).toBe(digest(b));
  });

  it('an unreachable upstream is reported as such, not as untrusted, with lag since last current', async () => {
    let clock = 1_000_000;
    const f = await follow(GOOD, undefined, () => clock);
    const current = () => {
      const r = f.mirror.report();
      return r.caughtUp && r.upstream === 'ok' && r.lagSeqs === 0 && r.lagSeconds === 0;
    };
    await until('catch-up', current);
    // While current the lag stays 0 however the clock moves, and the moment is remembered.
    clock += 2_000;
    expect(current()).toBe(true);
    await f.hostile.close();
    await until('unreachable', () => f.mirror.report().upstream === 'unreachable');
    expect(f.registry.version).toBe(3);
    // Lag counts from the last moment the mirror was current (1_002_000), not from its start.
    clock += 7_500;
    expect(f.mirror.report()).toMatchObject({ upstream: 'unreachable', lagSeqs: 0, lagSeconds: 7.5 });
  });

  it('a genesis that is not the pinned one is refused at seq 1', async () => {
    const other = genesisDescriptor({ signers: [K3.signerId, K4.signerId], threshold: 1 });
    const f = await follow(log(other));
    await until('refusal', untrusted(f));
    expect(f.registry.version).toBe(0);
    expect(f.mirror.report()).toMatchObject({ caughtUp: false, refusedSeq: 1 });
  });
});
