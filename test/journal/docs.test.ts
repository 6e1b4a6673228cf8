import { describe, expect, it } from 'vitest';
import { codeBlocks, readProjectFile } from '../docs/markdown.js';

describe('docs/journal.md', () => {
  it('opens with the example in test/journal/doc-example.ts, which the typecheck covers', () => {
    const shown = codeBlocks(readProjectFile('docs/journal.md')).find((block) => block.lang === 'ts');
    const example = readProjectFile('test/journal/doc-example.ts')
      .replace("from '../../src/index.js'", "from 'sluice'")
      .replace(/^(\/\/.*\n)+/, ''); // the header comment
    expect(shown?.code).toBe(example.trimEnd());
  });
});
