/** Reads fenced code blocks and links out of the project's Markdown, for tests that keep docs true. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

export function readProjectFile(relativePath: string): string {
  return readFileSync(new URL(relativePath, `file://${projectRoot}`), 'utf8');
}

/** A fenced code block: its info string, the heading it sits under, its code, and the 1-based line of its opening fence. */
export interface CodeBlock {
  readonly lang: string;
  readonly heading: string;
  readonly code: string;
  readonly line: number;
}

/** The fenced code blocks of `markdown`, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let heading = '';
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('#')) heading = line.replace(/^#+\s*/, '');
    const fence = /^```(\w*)/.exec(line);
    if (fence === null) continue;
    const start = i + 1;
    do i++;
    while (i < lines.length && lines[i] !== '```');
    blocks.push({ lang: fence[1] ?? '', heading, code: lines.slice(start, i).join('\n'), line: start });
  }
  return blocks;
}

/** Relative link targets of `markdown` (no URLs, no anchors). */
export function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((match) => match[1] as string).filter((target) => !/^[a-z]+:/.test(target));
}
