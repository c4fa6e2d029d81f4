import { type ErrorDetail, RegistryError } from './errors.js';

/** RFC 6901 escaping of one reference token. */
export function pointerToken(key: string | number): string {
  return String(key).replaceAll('~', '~0').replaceAll('/', '~1');
}

/** `base` extended by one token: `/descriptor/body` + `schema` → `/descriptor/body/schema`. */
export function pointer(base: string, ...keys: ReadonlyArray<string | number>): string {
  return keys.reduce<string>((p, k) => `${p}/${pointerToken(k)}`, base);
}

/** Upper bound on the problems one answer lists (a hostile body must not make it huge). */
export const MAX_DETAILS = 100;

/**
 * SPEC §5 `details`: every problem of a request body, collected, then thrown at once as one
 * `BadRequest` whose message summarises the first.
 */
export class Problems {
  readonly #list: ErrorDetail[] = [];
  #dropped = 0;

  add(path: string, message: string): void {
    if (this.#list.length < MAX_DETAILS) this.#list.push({ path, message });
    else this.#dropped++;
  }

  get size(): number {
    return this.#list.length + this.#dropped;
  }

  /** Throws the collected problems, if any, as one BadRequest. */
  throwIfAny(hint?: string): void {
    if (this.#list.length > 0) throw this.error(hint);
  }

  /** The collected problems as one BadRequest (call with at least one problem added). */
  error(hint?: string): RegistryError {
    const first = this.#list[0] ?? { path: '', message: 'invalid request body' };
    const more = this.size - 1;
    const tail = more > 0 ? ` (and ${more} more problem${more === 1 ? '' : 's'})` : '';
    return new RegistryError('BadRequest', `${first.path}: ${first.message}${tail}`, hint, {
      details: this.#list,
    });
  }
}
