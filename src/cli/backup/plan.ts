import { canonicalJson, digestOf, type Payload, signingBytes } from '../../core/index.js';
import { nextPayload } from '../next-payload.js';
import { UsageError } from '../usage-error.js';
import type { ReadFile } from './topology-dir.js';

export type PlanAction = 'create' | 'update' | 'deprecate' | 'unchanged';

/** A live head as `plan` compares it (GET /descriptors/{id}). */
export interface LiveHead {
  readonly id: string;
  readonly kind: string;
  readonly version: number;
  readonly digest: string;
  readonly deprecated: boolean;
  readonly body: unknown;
}

export interface PlanItem {
  readonly action: PlanAction;
  readonly id: string;
  readonly kind: string;
  /** The drafted version, or the head's when unchanged. */
  readonly version: number;
  /** The file it came from; null for a head whose file was removed. */
  readonly file: string | null;
  /** The next version, ready to sign (not for `unchanged`). */
  readonly draft?: Payload;
  readonly proposal_id?: string;
}

export interface Plan {
  readonly items: readonly PlanItem[];
  /** Heads with no file that were left alone (without --prune, and governance always). */
  readonly untracked: readonly string[];
}

function drafted(action: PlanAction, file: string | null, draft: Payload): PlanItem {
  return {
    action,
    id: draft.id,
    kind: draft.kind,
    version: draft.version,
    file,
    draft,
    proposal_id: digestOf(signingBytes(draft)),
  };
}

/** One file against its head (or none): the action and, unless unchanged, the draft. */
function planFile(f: ReadFile, head: LiveHead | undefined, now: number): PlanItem {
  const where = `${f.file}: `;
  if (f.kind === 'governance' && f.deprecated) {
    throw new UsageError(`${where}governance cannot be deprecated`, 'it is the trust root (SPEC §3)');
  }
  if (head === undefined) {
    return drafted('create', f.file, nextPayload(undefined, f, now, where));
  }
  if (head.kind !== f.kind) {
    throw new UsageError(
      `${where}${f.id} is a ${head.kind}, the file says ${f.kind}`,
      'an id keeps its kind',
    );
  }
  // Bodies compare by their canonical form (SPEC §2): key order and YAML vs JSON do not count.
  const sameBody = canonicalJson(f.body) === canonicalJson(head.body);
  if (sameBody && f.deprecated === head.deprecated) {
    return { action: 'unchanged', id: f.id, kind: f.kind, version: head.version, file: f.file };
  }
  const action = sameBody && f.deprecated ? 'deprecate' : 'update';
  return drafted(action, f.file, nextPayload(head, f, now, where));
}

/**
 * What applying the directory would change (create / update / deprecate / unchanged), with
 * each change drafted exactly as `registry draft` would (version = head + 1, prev = head
 * digest, ts = now). A head whose file is gone is deprecated only with `prune`; governance
 * never is (SPEC §3 trust root; a changed governance file is a rotation, signed by both sets).
 */
export function planChanges(
  files: ReadonlyMap<string, ReadFile>,
  heads: ReadonlyMap<string, LiveHead>,
  opts: { readonly prune: boolean; readonly now: number },
): Plan {
  const items: PlanItem[] = [];
  const untracked: string[] = [];
  const ids = [...new Set([...files.keys(), ...heads.keys()])].sort();
  for (const id of ids) {
    const f = files.get(id);
    const head = heads.get(id);
    if (f !== undefined) {
      items.push(planFile(f, head, opts.now));
    } else if (head !== undefined) {
      if (head.deprecated && opts.prune) {
        items.push({ action: 'unchanged', id, kind: head.kind, version: head.version, file: null });
      } else if (!opts.prune || head.kind === 'governance') {
        untracked.push(id);
      } else {
        const draft = nextPayload(head, { ...head, deprecated: true }, opts.now, `${id}: `);
        items.push(drafted('deprecate', null, draft));
      }
    }
  }
  return { items, untracked };
}
