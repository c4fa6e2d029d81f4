import {
  isRegistryError,
  type Payload,
  parsePayload,
  parseSignatures,
  type Signature,
} from '../core/index.js';
import { readJsonFile } from './input-file.js';
import { UsageError } from './usage-error.js';

/** A descriptor read from a file: the payload that is signed, and any signatures it carries. */
export interface DescriptorInput {
  readonly payload: Payload;
  readonly signatures: readonly Signature[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a payload, a whole descriptor (payload + `signatures`), or a proposal body
 * (`{ descriptor, signatures }`), and checks it with the core parser (SPEC §2), so a local
 * mistake is caught before anything is signed or sent.
 */
export function readDescriptorFile(path: string, now: number): DescriptorInput {
  const raw = readJsonFile(path);
  if (!isObject(raw)) throw new UsageError(`${path}: expected a JSON object`);
  let payloadRaw: unknown = raw;
  let sigsRaw: unknown = [];
  if ('descriptor' in raw) {
    payloadRaw = raw.descriptor;
    sigsRaw = raw.signatures ?? [];
  } else if ('signatures' in raw) {
    const { signatures, ...rest } = raw;
    payloadRaw = rest;
    sigsRaw = signatures;
  }
  try {
    return { payload: parsePayload(payloadRaw, now), signatures: parseSignatures(sigsRaw) };
  } catch (err) {
    if (isRegistryError(err)) throw new UsageError(`${path}: ${err.message}`, err.hint, { cause: err });
    throw err;
  }
}

/** The descriptor as a file holds it: payload fields, then `signatures` when there are any. */
export function descriptorJson(payload: Payload, signatures: readonly Signature[]): string {
  const doc = signatures.length === 0 ? payload : { ...payload, signatures };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
