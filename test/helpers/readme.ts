import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** The text of a `## title` section, up to the next `## `. */
export function section(title: string, text = README): string {
  const start = text.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no section "## ${title}"`);
  const rest = text.slice(start + 1);
  const end = rest.indexOf('\n## ', 4);
  return end < 0 ? rest : rest.slice(0, end + 1);
}

/** `### ` subsections of a section: [title, text]. */
export function subsections(text: string): Array<[string, string]> {
  return text
    .split(/\n(?=### )/)
    .filter((part) => part.startsWith('### '))
    .map((part) => [part.slice(4, part.indexOf('\n')), part]);
}

/** The bodies of the fenced code blocks with one of `langs` as info string. */
export function codeBlocks(text: string, langs: readonly string[] = ['sh']): string[] {
  const out: string[] = [];
  const re = /^```([^\n]*)\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (langs.includes((m[1] ?? '').trim())) out.push(m[2] ?? '');
  }
  return out;
}

/** Every fenced code block, whatever its language. */
export function allCodeBlocks(text: string): string[] {
  return codeBlocks(text, ['sh', 'bash', 'shell', 'text', 'console', '']);
}

export interface Invocation {
  /** The words after `registry` up to the first flag (`token mint`, `get`). */
  readonly words: readonly string[];
  readonly flags: readonly string[];
  readonly source: string;
}

/**
 * Every `registry ...` invocation in shell text: at the start of a command (line start,
 * after `$(`, `|`, `;`, `&&`, `||`). Its flags are the `--x`/`-h` tokens up to the end of
 * that command, not counting quoted text or nested `$(...)` (those are found on their own).
 */
export function invocations(shell: string): Invocation[] {
  const text = shell.replace(/\\\n/g, ' ');
  const out: Invocation[] = [];
  const re = /(^|\$\(|\||;|&&|\|\|)[ \t]*registry[ \t]+/gm;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    let i = m.index + m[0].length;
    let depth = 0;
    let quote = '';
    let top = '';
    for (; i < text.length; i++) {
      const ch = text[i] as string;
      if (quote !== '') {
        if (ch === quote) quote = '';
        continue;
      }
      if (ch === "'" || ch === '"') {
        if (depth === 0) top += ' ';
        quote = ch;
        continue;
      }
      if (ch === '$' && text[i + 1] === '(') {
        depth++;
        i++;
        continue;
      }
      if (ch === ')') {
        if (depth === 0) break;
        depth--;
        continue;
      }
      if (depth === 0 && (ch === '\n' || ch === '|' || ch === ';' || ch === '&' || ch === '#')) break;
      if (depth === 0) top += ch;
    }
    const tokens = top.split(/\s+/).filter((t) => t !== '');
    const words: string[] = [];
    for (const t of tokens) {
      if (t.startsWith('-') || !/^[a-z][a-z-]*$/.test(t) || words.length === 2) break;
      words.push(t);
    }
    const flags = tokens.filter((t) => /^--?[a-z][a-z-]*$/.test(t)).map((t) => t.replace(/=.*$/, ''));
    out.push({ words, flags, source: `registry ${top.trim()}` });
  }
  return out;
}

/** `registry ...` inline code spans (`` `registry cosign --proposal ID` ``). */
export function inlineInvocations(markdown: string): Invocation[] {
  const spans = [...markdown.matchAll(/`(registry [a-z][a-z-]*(?: [^`]*)?)`/g)].map((m) => m[1] as string);
  return spans.flatMap((s) => invocations(s));
}
