/** The failover drill's verdict and its bench/RESULTS.md section. */
import type { BenchMetric, BenchResult } from './bench.types.js';
import type { FailoverResult } from './failover.types.js';

/**
 * Invariant bounds. After the writers stop, A and B must agree within CONVERGE_BOUND_MS.
 * While an instance answers, its view may not stand still behind the stream for more than
 * STALL_BOUND_MS (issue 22): a follower standing still is replaced after two 2-s watchdog
 * checks (README "Cluster mode"), so 2 × 2 s + 1 s. A view cannot follow a stream that has
 * no leader: the drill's stall count starts once the stream answers again (see ViewMonitor).
 */
const CONVERGE_BOUND_MS = 30_000;
const STALL_BOUND_MS = 2 * 2_000 + 1_000;

/** Every invariant the drill checks, each with what broke it (empty: met). */
export function failoverFailures(r: FailoverResult): string[] {
  const f: string[] = [];
  if (r.to === undefined) f.push('A and B never converged to one version with no lag');
  else if (r.convergeMs > CONVERGE_BOUND_MS) {
    f.push(
      `A and B took ${Math.round(r.convergeMs)} ms to converge after the writers stopped (bound ${CONVERGE_BOUND_MS} ms)`,
    );
  }
  if (r.acks.presentEverywhere !== r.acks.acknowledged) {
    f.push(
      `${r.acks.acknowledged - r.acks.presentEverywhere} acknowledged applies not served by both instances (${r.acks.examples.join('; ')})`,
    );
  }
  if (r.acks.misplaced > 0)
    f.push(`${r.acks.misplaced} acknowledged applies not at the seq their apply answered`);
  if (r.listingDiff.length > 0) f.push(`listings differ for ${r.listingDiff.slice(0, 5).join(', ')}`);
  if (r.headMismatch.length > 0)
    f.push(`heads not at the last acknowledged version: ${r.headMismatch.join('; ')}`);
  if (r.unexpected.length > 0)
    f.push(`writers got answers no retry fixes: ${r.unexpected.slice(0, 3).join('; ')}`);
  for (const i of r.instances) {
    const t = i.tally;
    if (i.version !== r.to) f.push(`${i.name} ends at version ${i.version}, not ${r.to}`);
    if (i.refused !== 0) f.push(`${i.name} refused ${i.refused} stream messages`);
    if (t.lost + t.duplicated + t.divergent + t.outOfOrder > 0) {
      f.push(
        `${i.name}'s watchers: lost ${t.lost}, duplicated ${t.duplicated}, divergent ${t.divergent}, out of order ${t.outOfOrder}`,
      );
    }
    if (i.watchersAt !== r.to) f.push(`${i.name}'s watchers stopped at seq ${i.watchersAt}, not ${r.to}`);
    if (i.view.longestStalledMs > STALL_BOUND_MS) {
      f.push(
        `${i.name}'s view stood still ${Math.round(i.view.longestStalledMs)} ms behind the stream, up to ${i.view.maxBehindSeqs} seqs (bound ${STALL_BOUND_MS} ms)`,
      );
    }
    if (!i.stop.clean) f.push(`${i.name} did not exit 0 within the grace period after SIGTERM`);
  }
  // /version counts accepted entries; the stream also holds lost races: compare stream positions.
  const viewSeq = r.instances[0]?.streamSeq;
  for (const i of r.instances) {
    if (i.streamSeq !== viewSeq) f.push(`${i.name}'s view ends at stream seq ${i.streamSeq}, not ${viewSeq}`);
  }
  for (const s of r.stream) {
    if (s.lastSeq !== viewSeq || s.messages !== s.lastSeq) {
      f.push(`nats node ${s.node} holds stream seq ${s.lastSeq} (${s.messages} messages), not ${viewSeq}`);
    }
  }
  return f;
}

export const failoverPassed = (r: FailoverResult): boolean => failoverFailures(r).length === 0;

const one = (label: string, unit: string, value: number): BenchMetric => ({
  label,
  value,
  unit,
  rounds: [value],
});

const pct = (f: number) => `${Math.round(f * 100)} %`;

export function failoverReport(r: FailoverResult): BenchResult {
  const failures = failoverFailures(r);
  const [A, B] = r.instances;
  const sum = (pick: (t: FailoverResult['instances'][number]['tally']) => number) =>
    r.instances.reduce((x, i) => x + pick(i.tally), 0);
  const { phases, writersPerInstance, writerRate, watchersPerInstance } = r.plan;
  const watchers = watchersPerInstance * r.instances.length;
  return {
    name: 'failover',
    title: 'failover drill: stream leader and one registry instance SIGKILLed under writes and watches',
    params: {
      duration: `${r.seconds} s`,
      cluster:
        '3 nats-server 2.9 nodes (JetStream, R3 stream and proposal bucket) + registry instances A and B (src/cli/main.ts serve through tsx, REGISTRY_BACKEND=nats, own LevelDB view each)',
      chaos: `${pct(phases.killLeader)}: SIGKILL the stream leader's nats-server; ${pct(phases.killA)}: SIGKILL A; ${pct(phases.restart)}: restart that node on its data and A on its db`,
      writers: `${writersPerInstance} per instance × ${writerRate} applies/s, each on its own id; propose (both signatures, signed once) + apply; a request failing with no answer, 503 or 429 is retried, same body, on the other instance (home first on every request), so A's writers go through B while A is down; a 409 from a view behind the writer's own acks is retried on the other instance after 200 ms, and an apply answered 404 is asked again for up to 10 s`,
      watchers: `${watchersPerInstance} per instance, raw SSE, resuming on the same instance with Last-Event-ID after every dropped stream (A's retry A while it is down)`,
      'write pause':
        'the longest interval without any acknowledged apply, from the leader kill to the A kill',
    },
    metrics: [
      one('acknowledged applies', 'applies', r.acks.acknowledged),
      one('… served by A and B with the acknowledged digest', 'applies', r.acks.presentEverywhere),
      one(
        '… missing on A or B, or at another seq',
        'applies',
        r.acks.acknowledged - r.acks.presentEverywhere + r.acks.misplaced,
      ),
      one('acknowledged through A', 'applies', A?.acksVia ?? 0),
      one('acknowledged through B', 'applies', B?.acksVia ?? 0),
      one('converged version (A = B = every stream replica)', 'seq', r.to ?? -1),
      one('writers stopped to A and B converged', 'ms', r.convergeMs),
      one('ids whose listed head differs between A and B', 'ids', r.listingDiff.length),
      one(
        'lost events (all watchers)',
        'events',
        sum((t) => t.lost),
      ),
      one(
        'duplicated events (all watchers)',
        'events',
        sum((t) => t.duplicated),
      ),
      one(
        'divergent events (A and B disagree at a seq)',
        'events',
        sum((t) => t.divergent),
      ),
      one(
        'out-of-order events',
        'events',
        sum((t) => t.outOfOrder),
      ),
      one(
        'watcher reconnects',
        'reconnects',
        sum((t) => t.reconnects),
      ),
      one('write pause after the leader SIGKILL (longest ack gap)', 'ms', r.leaderPause.longestMs),
      one('leader SIGKILL to the first ack after it', 'ms', r.leaderPause.firstAckMs),
      one('leader SIGKILL to a new stream leader (as the nodes report)', 'ms', r.leader.electedMs),
      one('longest ack gap in steady state (before the kill)', 'ms', r.steadyGapMs),
      one("A's writers: A SIGKILL to their first ack (through B)", 'ms', r.aKillPause.firstAckMs),
      one('longest ack gap from the restarts to the end', 'ms', r.restartPause.longestMs),
      one('A first start to ready', 'ms', r.aFirstReadyMs),
      one('A restart to ready (includes its catch-up)', 'ms', r.aRestart.readyMs),
      one('… seqs A missed while down and caught up', 'seqs', r.aRestart.behindBy),
      one('nats node restart to JetStream enabled', 'ms', r.nodeRestart.jetstreamMs),
      one('nats node restart to healthy (current with its streams)', 'ms', r.nodeRestart.healthyMs),
      ...r.instances.flatMap((i) => [
        one(
          `${i.name}: longest gap between its acks after the leader SIGKILL`,
          'ms',
          i.leaderPause.longestMs,
        ),
        one(`${i.name}: longest time its view stood still behind the stream`, 'ms', i.view.longestStalledMs),
        one(`${i.name}: most seqs behind the stream`, 'seqs', i.view.maxBehindSeqs),
        one(`${i.name}: most lag its /readyz reported`, 'seqs', i.view.maxReportedLag),
      ]),
      one('start-ups that exited and were started again', 'starts', r.startExits.length),
      one('writer requests retried', 'requests', r.retries),
      one('409s from a view behind the writer (retried elsewhere)', 'answers', r.staleView),
      one('applies answered 404 (then asked again)', 'applies', r.applyNotFound),
      one('versions applied without an acknowledged apply', 'applies', r.appliedUnacknowledged),
      one(
        'stream messages refused (A + B)',
        'messages',
        r.instances.reduce((x, i) => x + Math.max(0, i.refused), 0),
      ),
      one('stream messages that lost the race for their version (A)', 'messages', r.instances[0]?.races ?? 0),
    ],
    ratios: [
      {
        label: 'write pause / steady-state longest ack gap',
        value: r.leaderPause.longestMs / Math.max(1, r.steadyGapMs),
      },
      {
        label: 'present on both / acknowledged',
        value: r.acks.presentEverywhere / Math.max(1, r.acks.acknowledged),
      },
    ],
    notes: [
      failures.length === 0
        ? `Correctness: met: every acknowledged apply (id, version, digest) is served by A and by B and sits at the seq its apply answered; A and B list identical heads and digests at version ${r.to}, as do the ${r.stream.length} stream replicas; each of the ${watchers} watchers saw seqs ${r.from + 1}..${r.to} exactly once, in order, with one digest per seq across both instances; every id's head is its last acknowledged version; A and B exited 0 on SIGTERM.`
        : `Correctness: FAILED: ${failures.join('; ')}.`,
      `Stream leader ${r.leader.killed} was SIGKILLed; the nodes reported ${r.leader.next} as the new leader after ${Math.round(r.leader.electedMs)} ms, and the first apply was acknowledged ${Math.round(r.leaderPause.firstAckMs)} ms after the kill: the write pause is the JetStream stream leader election (applies meanwhile answer 503 StoreUnavailable, retryable); reads and watches went on.`,
      ...(r.startExits.length === 0
        ? []
        : [
            `Start-ups that exited (a supervisor would restart them; the drill did): ${r.startExits.join('; ')}.`,
          ]),
      `Retried requests by reason: ${r.retryReasons
        .slice(0, 8)
        .map(([why, n]) => `${n} × ${why}`)
        .join('; ')}.`,
      `Timeline: ${r.timeline.join('; ')}.`,
    ],
  };
}
