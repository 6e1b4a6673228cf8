import { describe, expect, it } from 'vitest';
import { codeBlocks, readProjectFile } from '../docs/markdown.js';

describe('docs/testing.md', () => {
  it('shows the steps of examples/pipeline-check.ts as they are there, which the typecheck covers', () => {
    const example = readProjectFile('examples/pipeline-check.ts');
    const steps = codeBlocks(readProjectFile('docs/testing.md')).filter(
      (block) => block.heading === 'From zero to a property test of your pipeline' && block.lang === 'ts',
    );
    // Steps 1 to 3 are the example's code; step 4 shows the ways to run it.
    expect(steps.length).toBe(4);
    for (const step of steps.slice(0, 3)) expect(example).toContain(step.code);
  });
});
