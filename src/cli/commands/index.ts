import type { CommandSpec } from '../command.types.js';
import { apply } from './apply.js';
import { completion } from './completion.js';
import { cosign } from './cosign.js';
import { dev } from './dev.js';
import { diff } from './diff.js';
import { digest } from './digest.js';
import { draft } from './draft.js';
import { exportCommand } from './export.js';
import { get } from './get.js';
import { importCommand } from './import.js';
import { keygen } from './keygen.js';
import { list } from './list.js';
import { logAudit, logCheckpoint, logProof, logVerify } from './log.js';
import { logVkey, logWitnessKey } from './log-keys.js';
import { plan } from './plan.js';
import { proposal, proposals } from './proposals.js';
import { propose } from './propose.js';
import { schemaCheck, schemaDiff, schemaValidate } from './schema.js';
import { serve } from './serve.js';
import { sign } from './sign.js';
import { signerId } from './signer-id.js';
import { status } from './status.js';
import { tokenInspect } from './token-inspect.js';
import { tokenMint } from './token-mint.js';
import { verify } from './verify.js';
import { watch } from './watch.js';

/** Every command, in the order `registry --help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  dev,
  serve,
  status,
  keygen,
  signerId,
  draft,
  digest,
  sign,
  verify,
  propose,
  cosign,
  apply,
  proposals,
  proposal,
  get,
  diff,
  list,
  watch,
  schemaValidate,
  schemaCheck,
  schemaDiff,
  logCheckpoint,
  logProof,
  logVerify,
  logAudit,
  logVkey,
  logWitnessKey,
  exportCommand,
  importCommand,
  plan,
  tokenMint,
  tokenInspect,
  completion,
];

/** The command named by the first one or two words of argv, and the rest. */
export function findCommand(
  argv: readonly string[],
): { spec: CommandSpec; rest: readonly string[] } | undefined {
  const [a, b] = argv;
  const two = COMMANDS.find((c) => c.name === `${a} ${b}`);
  if (two !== undefined) return { spec: two, rest: argv.slice(2) };
  const one = COMMANDS.find((c) => c.name === a);
  return one === undefined ? undefined : { spec: one, rest: argv.slice(1) };
}
