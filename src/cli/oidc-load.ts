import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { messageOf } from '../core/index.js';
import { fixedKeys, RemoteKeys } from '../http/oidc/jwks-keys.js';
import { parseOidcIssuers } from '../http/oidc/oidc-config.js';
import { OidcVerifier } from '../http/oidc/oidc-verifier.js';
import { configError } from './config.js';

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw configError(`${what} ${path} cannot be read: ${messageOf(err)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw configError(`${what} ${path} is not JSON: ${messageOf(err)}`);
  }
}

/**
 * SPEC §7/§8 `OIDC_ISSUERS`: reads and checks the issuers file and every `jwks_file` before
 * anything is bound (an invalid setting exits 2 with one line). A relative `jwks_file` is
 * resolved from the issuers file's folder. `jwks_uri` keys are fetched on first use.
 */
export function loadOidc(file: string, now: () => number = Date.now): OidcVerifier {
  let issuers: ReturnType<typeof parseOidcIssuers>;
  try {
    issuers = parseOidcIssuers(readJson(file, 'OIDC_ISSUERS'));
  } catch (err) {
    throw configError(messageOf(err));
  }
  return new OidcVerifier(
    issuers.map((config) => {
      if ('uri' in config.jwks) return { config, keys: new RemoteKeys(config.jwks.uri, now) };
      const path = resolve(dirname(file), config.jwks.file);
      const where = `jwks_file ${path} of ${config.issuer}`;
      try {
        return { config, keys: fixedKeys(readJson(path, 'OIDC_ISSUERS jwks_file'), where) };
      } catch (err) {
        throw configError(messageOf(err));
      }
    }),
    now,
  );
}
