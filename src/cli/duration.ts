import { badRequest } from '../core/index.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `24h`, `90m`, `1h30m`, `45s`, `500ms`, `2d`, or plain milliseconds. */
export function parseDuration(raw: string, name: string): number {
  const text = raw.trim();
  if (/^[0-9]+$/.test(text)) return Number(text);
  const re = /([0-9]+)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * (UNITS[m[2] as string] as number);
    consumed = re.lastIndex;
  }
  if (consumed !== text.length || text.length === 0) {
    throw badRequest(name, `${JSON.stringify(raw)} is not a duration like 24h, 90m or 1h30m`);
  }
  return total;
}
