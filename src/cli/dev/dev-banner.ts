import { relative } from 'node:path';
import type { GovernanceBody } from '../../core/index.js';
import type { DevState } from './dev-state.js';

export interface BannerInfo {
  readonly url: string;
  readonly state: DevState;
  readonly governance: GovernanceBody;
  readonly seeded: readonly string[];
  readonly kept: readonly string[];
  /** How to run this CLI again from another shell (`node …/main.js`). */
  readonly cli: string;
  readonly cwd: string;
}

/** A path as the user would type it from where they ran `registry dev`. */
function shown(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') ? rel : path;
}

function quote(text: string): string {
  return /^[A-Za-z0-9_./:@=+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** What `registry dev` prints once it serves: URLs, DEV ONLY material, copy-paste commands. */
export function devBanner(b: BannerInfo): string {
  const api = `${b.url}/v1/registry`;
  const s = b.state;
  const signerLines = s.keys.map(
    (k, i) => `    ${i + 1}  ${k.signerId}  ${shown(b.cwd, s.keyFiles[i] ?? '')}`,
  );
  const devIds = new Set(s.keys.map((k) => k.signerId));
  const inForce = b.governance.signers;
  // After the rotation runbook the stored governance, not the dev key files, decides.
  const rotated = inForce.length !== devIds.size || inForce.some((id) => !devIds.has(id));
  const governance = rotated
    ? `  governance ${b.governance.threshold} of ${inForce.length} (the stored governance, rotated since genesis):\n${inForce.map((id) => `    ${id}${devIds.has(id) ? '  (a DEV ONLY key above)' : ''}`).join('\n')}\n`
    : '';
  const tokenFile = shown(b.cwd, s.tokenFile);
  const key1 = shown(b.cwd, s.keyFiles[0] ?? '');
  const key2 = shown(b.cwd, s.keyFiles[1] ?? '');
  const sample =
    b.seeded.length > 0
      ? `seeded now through propose/cosign/apply: ${b.seeded.join(', ')}`
      : `already present (reused): ${b.kept.join(', ')}`;
  return `
registry dev: DEV ONLY. The keys, root key and token below are for local development only;
never allow-list these signers or use this token anywhere real.

  API        ${api}
  OpenAPI    ${api}/openapi.json
  ready      ${b.url}/readyz
  metrics    ${b.url}/metrics
  console    ${b.url}/ui
  data       ${shown(b.cwd, s.dir)} (LevelDB in ${shown(b.cwd, s.dbPath)}; delete it to start over)
  signers    DEV ONLY${rotated ? ' keys' : `, threshold ${b.governance.threshold} of ${s.keys.length}`}:
${signerLines.join('\n')}
${governance}  sample     ${sample}

  DEV ONLY token (all scopes; also in ${tokenFile}):
    ${s.token}

Try it from another shell:

  alias registry=${quote(b.cli)}
  export REGISTRY_URL=${b.url}
  export REGISTRY_TOKEN=$(cat ${quote(tokenFile)})
  registry list
  registry get --id svc-storage@us-east-1
  registry watch --since 0 --until-current
  curl -s ${api}/regions/map

Propose, co-sign and apply a change (README "Walkthrough"):

  registry draft --id svc-storage@us-east-1 --body '{"name":"svc-storage","region":"us-east-1","endpoints":[{"addr":"10.0.0.9:443","tls":true,"weight":100}]}' --out next.json
  registry propose --file next.json --key ${key1}
  registry cosign --proposal $(registry digest --file next.json) --key ${key2}
  registry apply --proposal $(registry digest --file next.json)

Ctrl-C stops the registry; the next run reuses ${shown(b.cwd, s.dir)}.
`;
}
