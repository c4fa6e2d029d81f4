/** What the failover drill (bench/failover.ts) measures and checks. */
import type { AckCheck, Gap, ViewStats } from './failover-checks.js';
import type { StopOutcome } from './soak-server.js';
import type { WatcherTally } from './soak-watchers.js';

export interface FailoverPlan {
  readonly writersPerInstance: number;
  /** Applies per second per writer. */
  readonly writerRate: number;
  readonly watchersPerInstance: number;
  /** When each chaos step lands, as a fraction of the run. */
  readonly phases: { readonly killLeader: number; readonly killA: number; readonly restart: number };
}

export interface InstanceEnd {
  readonly name: 'A' | 'B';
  readonly version: number;
  readonly refused: number;
  /** Stream messages that lost the race for their id version (not served; expected on nats-server 2.9). */
  readonly races: number;
  /** The last stream sequence in its view (`/readyz` cluster.stream_seq). */
  readonly streamSeq: number;
  readonly tally: WatcherTally;
  /** The lowest seq its watchers reached. */
  readonly watchersAt: number;
  readonly stop: StopOutcome;
  readonly acksVia: number;
  /** How its view kept up with the other instance's, over the whole drill. */
  readonly view: ViewStats;
  /** The longest gap between acks this instance answered, from the leader kill to the A kill. */
  readonly leaderPause: Gap;
}

export interface FailoverResult {
  readonly plan: FailoverPlan;
  readonly seconds: number;
  readonly from: number;
  /** The converged version (undefined: the instances never agreed). */
  readonly to: number | undefined;
  /** From the writers' end to A and B agreeing with no lag (ms). */
  readonly convergeMs: number;
  readonly instances: readonly InstanceEnd[];
  readonly acks: AckCheck;
  /** Ids whose listed head differs between A and B. */
  readonly listingDiff: readonly string[];
  /** Writer ids whose head (on either instance) is not their last acknowledged version. */
  readonly headMismatch: readonly string[];
  readonly appliedUnacknowledged: number;
  readonly applyNotFound: number;
  readonly retries: number;
  readonly staleView: number;
  /** Instances that exited during start-up and were started again (with their last log line). */
  readonly startExits: readonly string[];
  readonly unexpected: readonly string[];
  /** Retried requests by reason, most frequent first. */
  readonly retryReasons: readonly (readonly [string, number])[];
  /** Stream state per nats node at the end (lastSeq, messages), after the killed one rejoined. */
  readonly stream: readonly { node: string; lastSeq: number; messages: number }[];
  readonly leader: { readonly killed: string; readonly next: string; readonly electedMs: number };
  readonly steadyGapMs: number;
  readonly leaderPause: Gap;
  readonly aKillPause: Gap;
  readonly restartPause: Gap;
  readonly aFirstReadyMs: number;
  readonly aRestart: { readonly readyMs: number; readonly versionAtKill: number; readonly behindBy: number };
  readonly nodeRestart: { readonly jetstreamMs: number; readonly healthyMs: number };
  readonly timeline: readonly string[];
}
