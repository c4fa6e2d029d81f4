import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  decodeBase64url,
  encodeBase64url,
  encodeSignerId,
  messageOf,
  type SignerId,
  type SigningKey,
  signingKeyFromSeed,
} from '../core/index.js';
import { UsageError } from './usage-error.js';

/**
 * PEM key files. node:crypto does the PKCS#8 / SPKI encoding (so `openssl pkey` reads what
 * `keygen` writes and the CLI reads what `openssl genpkey -algorithm ed25519` writes); the
 * signing itself goes through the core's keys.ts (@noble/ed25519).
 */
export function privateKeyPem(key: SigningKey): string {
  const jwk = {
    kty: 'OKP',
    crv: 'Ed25519',
    d: encodeBase64url(key.secretKey),
    x: encodeBase64url(key.publicKey),
  };
  return createPrivateKey({ key: jwk, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Writes a private key readable by its owner only; never overwrites unless `force`. */
export function writePrivateKey(path: string, key: SigningKey, force = false): void {
  try {
    writeFileSync(path, privateKeyPem(key), { mode: 0o600, flag: force ? 'w' : 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`${path} exists`, 'pass --force to overwrite it');
    throw new UsageError(`cannot write ${path}: ${messageOf(err)}`);
  }
}

function readPem(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read key file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function ed25519Jwk(key: KeyObject, path: string): { d?: string; x: string } {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new UsageError(`${path} is a ${key.asymmetricKeyType ?? 'non-asymmetric'} key, not ed25519`);
  }
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new UsageError(`${path}: no public key`);
  return typeof jwk.d === 'string' ? { d: jwk.d, x: jwk.x } : { x: jwk.x };
}

/** An ed25519 private key from a PKCS#8 PEM file. The error never quotes the file's content. */
export function readSigningKey(path: string): SigningKey {
  let key: KeyObject;
  try {
    key = createPrivateKey(readPem(path));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(
      `${path} is not a PEM private key`,
      'create one with `registry keygen --out key.pem`',
    );
  }
  const { d } = ed25519Jwk(key, path);
  const seed = d === undefined ? undefined : decodeBase64url(d, 32);
  if (seed === undefined) throw new UsageError(`${path}: not an ed25519 private key`);
  return signingKeyFromSeed(seed);
}

/** The signer_id of a private (PKCS#8) or public (SPKI) PEM file. */
export function readSignerId(path: string): SignerId {
  const pem = readPem(path);
  let key: KeyObject;
  try {
    // createPublicKey also accepts a private key PEM and derives the public half.
    key = createPublicKey(pem);
  } catch {
    throw new UsageError(`${path} is not a PEM key (PKCS#8 private or SPKI public)`);
  }
  const { x } = ed25519Jwk(key, path);
  const pub = decodeBase64url(x, 32);
  if (pub === undefined) throw new UsageError(`${path}: not an ed25519 key`);
  return encodeSignerId(pub);
}
