import { ERROR_CODES, type ErrorCode, RegistryError } from '../../src/core/index.js';

/** What one fuzz input ended as. */
export type Outcome = 'accepted' | 'applied' | ErrorCode;

/** An invariant broken by one input: the fuzzer's only reason to fail. */
export class InvariantFailure extends Error {
  constructor(message: string, opts?: ErrorOptions) {
    super(message, opts);
    this.name = 'InvariantFailure';
  }
}

export function isSpecCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/**
 * Runs one step under a time budget. A RegistryError with a SPEC code is a refusal (the
 * code is returned); any other throw, or a step that outlives the budget, is a failure.
 */
export async function step<T>(
  what: string,
  budgetMs: number,
  run: () => Promise<T> | T,
): Promise<{ ok: true; value: T } | { ok: false; code: ErrorCode }> {
  let timer: NodeJS.Timeout | undefined;
  const started = performance.now();
  try {
    const value = await Promise.race([
      Promise.resolve().then(run),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new InvariantFailure(`${what}: no answer within ${budgetMs} ms (hang)`)),
          budgetMs,
        );
      }),
    ]);
    return { ok: true, value };
  } catch (err) {
    if (err instanceof InvariantFailure) throw err;
    if (err instanceof RegistryError && isSpecCode(err.code)) return { ok: false, code: err.code };
    const e = err as { name?: unknown; message?: unknown; stack?: unknown };
    throw new InvariantFailure(
      `${what}: threw ${String(e?.name ?? typeof err)} (not a RegistryError with a SPEC code): ${String(e?.message ?? err)}`,
      { cause: err },
    );
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    // A synchronous step cannot be interrupted; it is still caught if it overran.
    const ms = performance.now() - started;
    if (ms > budgetMs) {
      // biome-ignore lint/correctness/noUnsafeFinally: an overrun replaces whatever the step returned.
      throw new InvariantFailure(`${what}: took ${Math.round(ms)} ms, over the ${budgetMs} ms budget`);
    }
  }
}

export function expect(cond: boolean, message: () => string): void {
  if (!cond) throw new InvariantFailure(message());
}
