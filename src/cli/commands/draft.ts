import type { DescriptorResponse } from '../../client/index.js';
import {
  digestOf,
  isRegistryError,
  type Kind,
  messageOf,
  parseSignerId,
  type SignerId,
  signingBytes,
} from '../../core/index.js';
import { clientOf } from '../client-of.js';
import type { CommandSpec, Values } from '../command.types.js';
import { descriptorJson } from '../descriptor-file.js';
import { readJsonFile, writeOutput } from '../input-file.js';
import { readSignerId } from '../key-file.js';
import { nextPayload } from '../next-payload.js';
import { UsageError } from '../usage-error.js';
import { flag, optInt, optString, reqString, strings } from '../values.js';

const KINDS: readonly Kind[] = ['service', 'node', 'region_map', 'governance'];

function bodyFlag(values: Values): unknown {
  const raw = optString(values, 'body');
  if (raw === undefined) return undefined;
  if (!raw.trim().startsWith('{')) return readJsonFile(raw);
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw new UsageError(`--body is not JSON: ${messageOf(err)}`);
  }
}

/** A signer_id, or the signer_id of a PEM key file. */
function signerOf(raw: string): SignerId {
  if (raw.startsWith('ed25519:')) {
    try {
      return parseSignerId(raw, 'signer');
    } catch (err) {
      throw new UsageError(messageOf(err));
    }
  }
  return readSignerId(raw);
}

/** SPEC §3 rotation edits of a governance body: add, remove, new threshold. */
function editGovernance(values: Values, body: unknown): unknown {
  const adds = strings(values, 'add-signer').map(signerOf);
  const removes = strings(values, 'remove-signer').map(signerOf);
  const threshold = optInt(values, 'threshold', 1);
  if (adds.length === 0 && removes.length === 0 && threshold === undefined) return body;
  const gov = body as { signers: readonly SignerId[]; threshold: number };
  for (const r of removes) {
    if (!gov.signers.includes(r)) throw new UsageError(`--remove-signer ${r} is not in the signer set`);
  }
  const signers = gov.signers.filter((s) => !removes.includes(s));
  for (const a of adds) if (!signers.includes(a)) signers.push(a);
  return { signers, threshold: threshold ?? gov.threshold };
}

export const draft: CommandSpec = {
  name: 'draft',
  summary:
    "Write the next version of a descriptor, ready to sign: version = head + 1, prev = the head's digest, ts = now (version 1 with prev null for a new id).",
  help: `  --id ID                  descriptor id (required)
  --kind K                 service, node, region_map, governance (required for a new id)
  --body JSON|FILE         the new body (default: the head's body)
  --deprecated             mark the new version deprecated (without it the new version is not)
  --add-signer ID|PEM      governance: add a signer (signer_id or key file; repeatable)
  --remove-signer ID|PEM   governance: remove a signer (repeatable)
  --threshold N            governance: the new threshold
  --out FILE.json          where to write the payload (default stdout)`,
  options: {
    id: { type: 'string' },
    kind: { type: 'string' },
    body: { type: 'string' },
    deprecated: { type: 'boolean' },
    'add-signer': { type: 'string', multiple: true },
    'remove-signer': { type: 'string', multiple: true },
    threshold: { type: 'string' },
    out: { type: 'string' },
  },
  network: true,
  async run(ctx) {
    const { values, out } = ctx;
    const id = reqString(values, 'id');
    const kindRaw = optString(values, 'kind');
    const kind = KINDS.find((k) => k === kindRaw);
    if (kindRaw !== undefined && kind === undefined) {
      throw new UsageError(`--kind ${JSON.stringify(kindRaw)}`, `one of ${KINDS.join(', ')}`);
    }
    let head: DescriptorResponse | undefined;
    try {
      head = await clientOf(ctx).get(id);
    } catch (err) {
      if (!isRegistryError(err, 'NotFound')) throw err;
    }
    if (head !== undefined && kind !== undefined && kind !== head.descriptor.kind) {
      throw new UsageError(`${id} is a ${head.descriptor.kind}; kind cannot change`);
    }
    const finalKind = head?.descriptor.kind ?? kind;
    if (finalKind === undefined)
      throw new UsageError(`${id} has no head yet`, 'pass --kind and --body for version 1');
    let body: unknown = bodyFlag(values) ?? head?.descriptor.body;
    if (body === undefined) throw new UsageError(`${id} has no head yet`, 'pass --body for version 1');
    if (finalKind === 'governance') body = editGovernance(values, body);
    else if (
      values['add-signer'] !== undefined ||
      values['remove-signer'] !== undefined ||
      values.threshold !== undefined
    ) {
      throw new UsageError(
        '--add-signer, --remove-signer and --threshold apply to the governance descriptor only',
      );
    }
    const payload = nextPayload(
      head === undefined ? undefined : { version: head.descriptor.version, digest: head.digest },
      { id, kind: finalKind, body, deprecated: flag(values, 'deprecated') },
      Date.now(),
    );
    const proposalId = digestOf(signingBytes(payload));
    const path = optString(values, 'out');
    if (path === undefined) {
      out.line(out.json ? JSON.stringify(payload) : descriptorJson(payload, []).trimEnd());
    } else {
      writeOutput(path, descriptorJson(payload, []));
      if (out.json) out.value({ out: path, id, version: payload.version, proposal_id: proposalId });
      else out.line(`wrote ${path}: ${finalKind} ${id} v${payload.version} (proposal_id ${proposalId})`);
    }
    return 0;
  },
};
