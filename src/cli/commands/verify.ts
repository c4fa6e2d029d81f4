import {
  type Governance,
  type HeadRef,
  isRegistryError,
  parseAllowList,
  type SignerId,
  verifyDescriptor,
} from '../../core/index.js';
import { clientOf } from '../client-of.js';
import type { CommandSpec } from '../command.types.js';
import { readDescriptorFile } from '../descriptor-file.js';
import { UsageError } from '../usage-error.js';
import { optString, strings } from '../values.js';

/** The allow-list and threshold from flags, else SIGNER_ALLOWLIST / SIG_THRESHOLD (as `serve`). */
function governanceFrom(
  values: Parameters<CommandSpec['run']>[0]['values'],
  env: Readonly<Record<string, string | undefined>>,
): Governance {
  const listed = strings(values, 'allow-signer');
  const signers = (listed.length > 0 ? listed : [env.SIGNER_ALLOWLIST ?? ''])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (signers.length === 0) {
    throw new UsageError('no allow-list', 'pass --allow-signer A,B,C or set SIGNER_ALLOWLIST');
  }
  const rawThreshold = optString(values, 'sig-threshold') ?? env.SIG_THRESHOLD ?? '2';
  if (!/^[0-9]+$/.test(rawThreshold))
    throw new UsageError(`threshold ${JSON.stringify(rawThreshold)} is not an integer`);
  try {
    const body = parseAllowList(signers, Number(rawThreshold));
    return { signers: new Set(body.signers), threshold: body.threshold, version: 0 };
  } catch (err) {
    if (isRegistryError(err)) throw new UsageError(err.message);
    throw err;
  }
}

/** The registry's governance head and the id's head: what an apply would be checked against now. */
async function liveState(
  ctx: Parameters<CommandSpec['run']>[0],
  id: string,
): Promise<{ governance: Governance; head: HeadRef | undefined }> {
  const client = clientOf(ctx);
  const gov = (await client.get('governance')).descriptor;
  const body = gov.body as { signers: readonly SignerId[]; threshold: number };
  let head: HeadRef | undefined;
  try {
    const h = await client.get(id);
    head = { version: h.descriptor.version, digest: h.digest, kind: h.descriptor.kind };
  } catch (err) {
    if (!isRegistryError(err, 'NotFound')) throw err;
  }
  return {
    governance: { signers: new Set(body.signers), threshold: body.threshold, version: gov.version },
    head,
  };
}

export const verify: CommandSpec = {
  name: 'verify',
  summary:
    'Verify a signed descriptor offline (SPEC §2-3): every signature valid and allow-listed, quorum met (both sets for a governance rotation).',
  help: `  --file FILE.json         the descriptor with its signatures (required)
  --allow-signer A,B,C     the signer set in force (repeatable; default SIGNER_ALLOWLIST)
  --sig-threshold N        its threshold (default SIG_THRESHOLD, else 2)

Offline, the descriptor's own version and prev are taken as given. With --url URL it is
checked against that registry instead: the governance in force and the id's live head
(StaleVersion when it no longer extends it).`,
  options: {
    file: { type: 'string' },
    'allow-signer': { type: 'string', multiple: true },
    'sig-threshold': { type: 'string' },
  },
  network: true,
  async run(ctx) {
    const { values, env, out } = ctx;
    const file = optString(values, 'file');
    if (file === undefined) throw new UsageError('--file is required');
    const now = Date.now();
    const { payload, signatures } = readDescriptorFile(file, now);
    // Only an explicit --url goes online: `verify` is an offline check unless asked.
    const live = optString(values, 'url') === undefined ? undefined : await liveState(ctx, payload.id);
    if (live !== undefined && strings(values, 'allow-signer').length > 0) {
      throw new UsageError(
        '--allow-signer and --url disagree',
        "with --url the governance in force is the registry's",
      );
    }
    const governance = live?.governance ?? governanceFrom(values, env);
    const head: HeadRef | undefined =
      live !== undefined
        ? live.head
        : payload.prev === null
          ? undefined
          : { version: payload.version - 1, digest: payload.prev, kind: payload.kind };
    const v = verifyDescriptor({ ...payload, signatures }, governance, head);
    const signers = signatures.map((s) => s.signer_id);
    if (out.json) {
      out.value({
        ok: true,
        id: payload.id,
        version: payload.version,
        digest: v.digest,
        signers,
        threshold: v.tally.threshold,
      });
    } else {
      out.line(
        `OK ${payload.id} v${payload.version} digest ${v.digest}: ${v.tally.signatures} valid signature(s), threshold ${v.tally.threshold}`,
      );
      for (const s of signers) out.line(`  signed by ${s}`);
    }
    return 0;
  },
};
