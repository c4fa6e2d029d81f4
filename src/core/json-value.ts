import { badRequest, messageOf, RegistryError } from './errors.js';
import { MAX_DEPTH, MAX_STRING_BYTES } from './limits.js';

/**
 * Parses request text as JSON and checks what every JSON value must satisfy before a
 * schema looks at it (SPEC §2): nesting ≤ 64, strings ≤ 1,024 bytes of well-formed
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
  walk(value, path, [], depth);
}

/**
 * The walk behind checkJsonValue. Every request body goes through it, so the path of a
 * value is kept as a stack of keys and spelled out only for an error.
 */
function walk(value: unknown, root: string, keys: Array<string | number>, depth: number): void {
  if (typeof value === 'string') {
    checkString(value, root, keys);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (depth + 1 > MAX_DEPTH) throw badRequest(pathOf(root, keys), `JSON nesting deeper than ${MAX_DEPTH}`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      keys.push(i);
      walk(value[i], root, keys, depth + 1);
      keys.pop();
    }
    return;
  }
  for (const k of Object.keys(value)) {
    checkString(k, root, keys, ' key');
    keys.push(k);
    walk((value as Record<string, unknown>)[k], root, keys, depth + 1);
    keys.pop();
  }
}

function pathOf(root: string, keys: ReadonlyArray<string | number>, suffix = ''): string {
  return `${root}${keys.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')}${suffix}`;
}

function checkString(s: string, root: string, keys: ReadonlyArray<string | number>, suffix = ''): void {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short strings need no byte count, and the
  // UTF-16 length bound keeps Buffer.byteLength off huge ones.
  if (
    s.length * 3 > MAX_STRING_BYTES &&
    (s.length > MAX_STRING_BYTES || Buffer.byteLength(s, 'utf8') > MAX_STRING_BYTES)
  ) {
    throw badRequest(pathOf(root, keys, suffix), `string longer than ${MAX_STRING_BYTES} bytes`);
  }
  if (!s.isWellFormed()) throw badRequest(pathOf(root, keys, suffix), 'string contains a lone surrogate');
}
