import { badRequest, messageOf, RegistryError } from './errors.js';
import { MAX_DEPTH, MAX_STRING_BYTES } from './limits.js';

/**
 * Parses request text as JSON and checks what every JSON value must satisfy before a
 * schema looks at it (SPEC §2): nesting ≤ 16, strings ≤ 1,024 bytes of well-formed
 * Unicode. Attacker-controlled input.
 */
export function parseJsonText(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new RegistryError('BadRequest', `malformed JSON: ${messageOf(cause)}`, 'send a JSON body', {
      cause,
    });
  }
  checkJsonValue(value, '$');
  return value;
}

/** `depth` counts the containers around `value`. */
export function checkJsonValue(value: unknown, path: string, depth = 0): void {
  if (typeof value === 'string') {
    checkString(value, path);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (depth + 1 > MAX_DEPTH) throw badRequest(path, `JSON nesting deeper than ${MAX_DEPTH}`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkJsonValue(value[i], `${path}[${i}]`, depth + 1);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    checkString(k, `${path} key`);
    checkJsonValue(v, `${path}.${k}`, depth + 1);
  }
}

function checkString(s: string, path: string): void {
  // The UTF-16 length bound first keeps Buffer.byteLength off huge strings.
  if (s.length > MAX_STRING_BYTES || Buffer.byteLength(s, 'utf8') > MAX_STRING_BYTES) {
    throw badRequest(path, `string longer than ${MAX_STRING_BYTES} bytes`);
  }
  if (!s.isWellFormed()) throw badRequest(path, 'string contains a lone surrogate');
}
