import { digestOf, genesisPayload, RegistryError, signingBytes } from '../core/index.js';
import type { ProposalRecord } from '../store/index.js';
import { appendOf, prepareApply } from './apply-batch.js';
import { descriptorBytes } from './entry.js';
import { assertStoredGenesis } from './ingest.js';
import { assertConfiguredGovernance } from './load.js';
import type { ApplyPath, EngineCore, EngineMode, GenesisSource, ProposalStore } from './modes.types.js';

/** Standalone and mirror: pending proposals in memory, written through to the store (SPEC §4 `prop/`). */
export function localProposals(core: EngineCore): ProposalStore {
  const pending = new Map<string, ProposalRecord>();
  const live = (proposalId: string, now: number) => {
    const p = pending.get(proposalId);
    return p !== undefined && p.expires_at > now ? p : undefined;
  };
  return {
    find: async (proposalId, now) => ({ live: live(proposalId, now), revision: undefined }),
    async save(record) {
      await core.store.putProposal(record);
      pending.set(record.proposal_id, record);
      return true;
    },
    live: (now) => [...pending.values()].filter((p) => p.expires_at > now),
    // Expired ones count until the sweep removes them (the gauge follows the store).
    count: () => pending.size,
    settle(proposalIds) {
      for (const id of proposalIds) pending.delete(id);
    },
    async sweep(now) {
      const expired = [...pending.values()].filter((p) => p.expires_at <= now).map((p) => p.proposal_id);
      await core.store.deleteProposals(expired);
      for (const id of expired) pending.delete(id);
      return expired.length;
    },
    async load(now) {
      for (const p of await core.store.proposals()) if (p.expires_at > now) pending.set(p.proposal_id, p);
    },
    clear: () => pending.clear(),
  };
}

/**
 * Standalone apply: through the id's serial queue into the group committer (SPEC §3 CAS and
 * quorum at batch-build time). Applying an applied proposal answers the same body again.
 */
export function localApply(core: EngineCore, proposals: ProposalStore): ApplyPath {
  return {
    async apply(proposalId, appliedBy) {
      const first = (await proposals.find(proposalId, core.now())).live;
      if (first === undefined) return core.settled(proposalId);
      return core.queues.run(first.payload.id, async () => {
        // Under the id's queue: an apply of the same proposal just before this one may have won.
        const record = (await proposals.find(proposalId, core.now())).live;
        if (record === undefined) return core.settled(proposalId);
        await core.admitApply(record);
        return core.commit((state, head) => prepareApply(state, head, record, appliedBy));
      });
    },
    applyAdmitted: (record, appliedBy) =>
      core.queues.run(record.payload.id, async () => {
        // Under the id's queue: the same upload just before this one may have been applied.
        if ((await core.applied(record.proposal_id)) !== undefined) return core.settled(record.proposal_id);
        await core.admitApply(record);
        return core.commit((state, head) => prepareApply(state, head, record, appliedBy));
      }),
    current: async (check) => check(),
  };
}

/** SPEC §3 standalone: an empty store gets genesis v1 from the settings; later the stored head rules. */
export const createdGenesis: GenesisSource = {
  async empty(core, configured) {
    if (configured === undefined) {
      throw new RegistryError(
        'BadRequest',
        'empty store: SIGNER_ALLOWLIST and SIG_THRESHOLD are required for genesis',
      );
    }
    const payload = genesisPayload(configured, core.now());
    const bytes = descriptorBytes(payload, []);
    await core.commit((state) => {
      const append = appendOf(state, payload, bytes, digestOf(signingBytes(payload)), null, 'genesis');
      return {
        append,
        result: {
          version: append.log.seq,
          descriptor_id: payload.id,
          descriptor_version: 1,
          digest: append.log.digest,
        },
      };
    });
  },
  async loaded(core, configured) {
    if (configured !== undefined) assertConfiguredGovernance(core.snapshot.governance, configured);
  },
};

/**
 * SPEC §11 mirror: an empty store stays empty (seq 1 is the upstream's genesis, ingested),
 * and the settings are checked against the stored governance v1, not the head.
 */
export const upstreamGenesis: GenesisSource = {
  async empty() {},
  async loaded(core, configured) {
    if (configured !== undefined) await assertStoredGenesis(core.store, configured);
  },
};

export const standaloneMode: EngineMode = {
  proposals: localProposals,
  apply: localApply,
  genesis: createdGenesis,
};

/** A mirror's engine takes no writes through HTTP (ReadOnly); it is fed by `Registry.ingest`. */
export const mirrorMode: EngineMode = {
  proposals: localProposals,
  apply: localApply,
  genesis: upstreamGenesis,
};
