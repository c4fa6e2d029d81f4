import { isRegistryError, RegistryError } from '../../core/index.js';
import type { ProposalRecord } from '../../store/index.js';
import { type ApplyResult, beginBatch, prepareApply } from '../apply-batch.js';
import type { ApplyPath, EngineCore, EngineMode, GenesisSource, ProposalStore } from '../modes.types.js';
import type { SharedLog, SharedProposals } from './shared-log.js';

/** How many times an apply is retried when the view turned out to be behind the stream. */
const APPLY_ATTEMPTS = 8;

const isProposalId = (s: string) => /^[0-9a-f]{64}$/.test(s);

/**
 * Cluster proposals live in the shared bucket (any instance co-signs and applies them);
 * writes compare-and-set on the revision read. The bucket expires records by TTL itself.
 */
export function sharedProposals(bucket: SharedProposals): ProposalStore {
  const live = (now: number) => [...bucket.values()].filter((p) => p.expires_at > now);
  return {
    async find(proposalId, now) {
      if (!isProposalId(proposalId)) return { live: undefined, revision: undefined };
      const found = await bucket.get(proposalId);
      const record = found?.record !== undefined && found.record.expires_at > now ? found.record : undefined;
      // The revision is kept even for an expired record, so a new one can replace it.
      return { live: record, revision: found?.revision };
    },
    save: (record, revision) => bucket.put(record, revision),
    live,
    // The bucket expires records without telling its watchers: count live ones.
    count: (now) => live(now).length,
    settle() {},
    sweep: async () => 0,
    load: async () => {},
    clear() {},
  };
}

/**
 * Cluster apply: checked against this instance's view (CAS and quorum, as standalone), then
 * published with a per-id compare-and-set; answered from the local view once it holds the
 * outcome. A lost compare-and-set means the view was behind: catch up, then check again
 * (now `StaleVersion`, already applied, or a fresh attempt).
 */
export function streamApply(core: EngineCore, proposals: ProposalStore, link: SharedLog): ApplyPath {
  /** `lookup` gives the live record (re-read after each catch-up); undefined: no longer live. */
  const publish = async (
    proposalId: string,
    lookup: () => Promise<ProposalRecord | undefined>,
    appliedBy: string,
  ): Promise<ApplyResult> => {
    let caughtUp = false;
    for (let attempt = 0; attempt < APPLY_ATTEMPTS; attempt++) {
      const record = await lookup();
      if (record === undefined) return core.settled(proposalId);
      const outcome = await core.queues.run(record.payload.id, async () => {
        // Under the id's queue: an apply of the same proposal just before this one won.
        const applied = await core.applied(proposalId);
        if (applied !== undefined) return core.settled(proposalId);
        await core.admitApply(record);
        const state = beginBatch(core.snapshot.version, core.snapshot.governance, core.now());
        try {
          const { append } = prepareApply(state, (id) => core.snapshot.get(id), record, appliedBy);
          return await link.publish(append);
        } catch (err) {
          // A stale answer from a view that is merely behind the stream is not the cluster's.
          if (!caughtUp && isRegistryError(err, 'StaleVersion')) return 'conflict';
          throw err;
        }
      });
      if (outcome !== 'conflict') return outcome;
      await link.catchUp();
      caughtUp = true;
    }
    throw new RegistryError(
      'StoreUnavailable',
      `apply of ${proposalId} kept losing the race for its descriptor id`,
      'retry the apply',
    );
  };
  return {
    async apply(proposalId, appliedBy) {
      const result = await publish(
        proposalId,
        async () => (await proposals.find(proposalId, core.now())).live,
        appliedBy,
      );
      // The bucket entry has served its purpose; a leftover one expires with the TTL.
      link.proposals.delete(proposalId).catch(() => undefined);
      return result;
    },
    // SPEC §5 POST /apply: nothing was stored in the bucket, so there is nothing to delete.
    applyAdmitted: (record, appliedBy) => publish(record.proposal_id, async () => record, appliedBy),
    async current(check) {
      try {
        return check();
      } catch (err) {
        if (!isRegistryError(err, 'StaleVersion')) throw err;
        await link.catchUp();
        return check();
      }
    },
  };
}

/**
 * SPEC §3 for a cluster: genesis is seq 1 of the stream, checked by every instance as it
 * materializes it (`prepareReplicated`); `openCluster` checked stream and store before open.
 */
export const pinnedGenesis: GenesisSource = {
  async empty() {},
  async loaded() {},
};

/** Cluster mode's strategies over one link; `onCore` receives the engine's core for the follower. */
export function clusterMode(link: SharedLog, onCore: (core: EngineCore) => void): EngineMode {
  return {
    proposals: () => sharedProposals(link.proposals),
    apply(core, proposals) {
      onCore(core);
      return streamApply(core, proposals, link);
    },
    genesis: pinnedGenesis,
  };
}
