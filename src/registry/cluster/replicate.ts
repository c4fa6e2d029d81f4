import type { GovernanceBody } from '../../core/index.js';
import type { ApplyResult } from '../apply-batch.js';
import type { EngineCore } from '../modes.types.js';
import { LostRace, prepareReplicated, type ReplicatedItem } from './replicated.js';

/**
 * How one stream message ended in this instance's view. `refused` is a verdict on the
 * message (it fails the SPEC §2/§3 checks, so every instance refuses it); a commit failure of
 * the local store is not a verdict and rejects instead; `withdrawn`: not taken, because an
 * earlier message of the same run failed to commit (it is delivered again on resume).
 */
export type Replicated =
  | { readonly kind: 'stored'; readonly result: ApplyResult }
  | { readonly kind: 'refused'; readonly error: unknown }
  /** Refused too, but a lost race for an id's version (`LostRace`), not a failed verification. */
  | { readonly kind: 'raced'; readonly error: unknown }
  | { readonly kind: 'withdrawn' };

/**
 * The messages of one follow, in stream order. Once one of them fails to commit the run is
 * broken, and every later one is withdrawn at batch-build time, so a message is never
 * stored after a gap (the committer calls `reject` synchronously, before the next batch).
 */
export interface ReplicaRun {
  broken: boolean;
}

const WITHDRAWN = Symbol('withdrawn');

/** Materializes one stream message through the engine's group committer (store, snapshot, bus). */
export function replicateInto(
  core: EngineCore,
  item: ReplicatedItem,
  run: ReplicaRun,
  genesis: GovernanceBody,
): Promise<Replicated> {
  return new Promise<Replicated>((resolve, reject) => {
    let refusal = false;
    core.submit({
      prepare: (state) => {
        if (run.broken) throw WITHDRAWN;
        try {
          return prepareReplicated(state, (id) => core.snapshot.get(id), item, genesis);
        } catch (err) {
          refusal = true;
          throw err;
        }
      },
      resolve: (result) => resolve({ kind: 'stored', result }),
      reject: (err) => {
        if (err === WITHDRAWN) resolve({ kind: 'withdrawn' });
        else if (refusal) resolve({ kind: err instanceof LostRace ? 'raced' : 'refused', error: err });
        else {
          run.broken = true;
          reject(err);
        }
      },
    });
  });
}
