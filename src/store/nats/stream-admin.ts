import { JetStreamApiError, type JetStreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';

/** The administration half of the NATS log: create the stream once, wait for its leader. */
export async function ensureStream(jsm: JetStreamManager, name: string, replicas: number): Promise<void> {
  try {
    await jsm.streams.info(name);
    await leaderOf(jsm, name);
    return;
  } catch (err) {
    if (!(err instanceof JetStreamApiError) || err.status !== 404) throw err;
  }
  try {
    await jsm.streams.add({
      name,
      subjects: [`${name}.d.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      num_replicas: replicas,
      // SPEC §4 append-only: nothing in the log is ever deleted.
      deny_delete: true,
      deny_purge: true,
      max_msgs: -1,
      max_bytes: -1,
      max_age: 0,
      duplicate_window: 120_000_000_000,
    });
  } catch (err) {
    // Another instance created it at the same moment: use theirs.
    await jsm.streams.info(name).catch(() => {
      throw err;
    });
  }
  await leaderOf(jsm, name);
}

/**
 * A replicated stream answers `info` before its Raft group has elected a leader, and a
 * publish in between finds no responder: wait (bounded) until it has one.
 */
export async function leaderOf(jsm: JetStreamManager, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await jsm.streams.info(name);
    // A single server reports no cluster, or a cluster with itself as leader.
    if (info.cluster === undefined || (info.cluster.leader ?? '') !== '') return;
    if (Date.now() > deadline) throw new Error(`stream ${name} has no leader after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
