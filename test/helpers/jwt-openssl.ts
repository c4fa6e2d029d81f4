import { execFileSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * JWTs made by an implementation that is not jose: OpenSSL signs the JWS signing input,
 * node:crypto exports the public JWK. So the registry's verification is checked against
 * tokens it did not mint itself (RFC 7515 / RFC 7518 / RFC 8037 byte formats).
 */
export interface OpensslKey {
  readonly alg: 'RS256' | 'EdDSA';
  readonly kid: string;
  readonly pem: string;
  readonly jwk: Record<string, unknown>;
}

export function opensslKey(dir: string, alg: OpensslKey['alg'], kid: string): OpensslKey {
  const pem = join(dir, `${kid}.pem`);
  const args =
    alg === 'RS256'
      ? ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', pem]
      : ['genpkey', '-algorithm', 'ed25519', '-out', pem];
  execFileSync('openssl', args, { stdio: 'ignore' });
  const jwk = createPublicKey(readFileSync(pem)).export({ format: 'jwk' }) as Record<string, unknown>;
  return { alg, kid, pem, jwk: { ...jwk, kid, alg, use: 'sig' } };
}

const b64url = (v: unknown) =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** A compact JWS over `claims`, signed by OpenSSL; `header` overrides the default protected header. */
export function opensslJwt(
  dir: string,
  key: OpensslKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  const input = `${b64url({ alg: key.alg, typ: 'JWT', kid: key.kid, ...header })}.${b64url(claims)}`;
  const inFile = join(dir, 'jws-input');
  writeFileSync(inFile, input);
  const sig =
    key.alg === 'RS256'
      ? execFileSync('openssl', ['dgst', '-sha256', '-sign', key.pem, inFile])
      : execFileSync('openssl', ['pkeyutl', '-sign', '-rawin', '-inkey', key.pem, '-in', inFile]);
  return `${input}.${sig.toString('base64url')}`;
}

/** An unsigned or HMAC token: the classic algorithm-confusion attacks. */
export function forgedJwt(
  claims: Record<string, unknown>,
  header: Record<string, unknown>,
  sig = '',
): string {
  return `${b64url(header)}.${b64url(claims)}.${sig}`;
}
