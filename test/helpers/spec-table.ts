import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** SPEC lives beside the repository (/work/shared/SPEC.md), not inside it: CI clones only the repo. */
export const SPEC_PATH = fileURLToPath(new URL('../../../shared/SPEC.md', import.meta.url));

/** The rows `| 412 | NoQuorum | … |` of SPEC §5's error table, as code → HTTP status. */
export function parseErrorTable(markdown: string): Map<string, number> {
  const rows = new Map<string, number>();
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*(\d{3})\s*\|\s*([A-Za-z]+)\s*\|/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) rows.set(m[2], Number(m[1]));
  }
  return rows;
}

/** SPEC's error table, or undefined when SPEC.md is not beside the checkout. */
export function readSpecErrorTable(): Map<string, number> | undefined {
  if (!existsSync(SPEC_PATH)) return undefined;
  return parseErrorTable(readFileSync(SPEC_PATH, 'utf8'));
}
