import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeBlocks, projectRoot, readProjectFile, relativeLinks } from './markdown.js';

const readme = readProjectFile('README.md');

describe('README.md', () => {
  it('opens with exactly the two set-up commands for a fresh machine', () => {
    const first = codeBlocks(readme)[0];
    expect(first?.code.split('\n')).toEqual(['npm install && npm start', 'npm test']);
  });

  it('runs the scripts it names', () => {
    const scripts = (JSON.parse(readProjectFile('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['start']).toBe('tsx examples/wordcount.ts --input examples/data/sluice-gate.txt');
    expect(scripts['test']).toBeDefined();
  });

  it('shows the quickstart exactly as examples/quickstart.ts has it', () => {
    const quickstart = codeBlocks(readme).find((block) => block.heading === 'Quickstart' && block.lang === 'ts');
    const example = readProjectFile('examples/quickstart.ts').replace("from '../src/index.js'", "from 'sluice'");
    expect(quickstart?.code).toBe(example.trimEnd());
  });

  it('links only to files that exist', () => {
    for (const doc of ['README.md', ...relativeLinks(readme).filter((link) => link.endsWith('.md'))]) {
      const dir = join(projectRoot, doc, '..');
      for (const link of relativeLinks(readProjectFile(doc))) {
        expect(existsSync(join(dir, link)), `${doc} links to ${link}`).toBe(true);
      }
    }
  });
});
