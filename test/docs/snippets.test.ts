import { describe, expect, it } from 'vitest';
import { checkSnippets, docSnippets, documentedFiles, isProgram, type SnippetReport } from './snippets.js';

// One Program for all snippets: building it (lib, @types/node, src/) is the slow part.
const reports = checkSnippets(docSnippets());

function byFile(file: string): SnippetReport[] {
  return reports.filter((report) => report.snippet.file === file);
}

describe('the rule for a complete program', () => {
  it('takes ts blocks that import from sluice or sluice/testing, also across lines', () => {
    expect(isProgram('ts', "import { pipeline } from 'sluice';\nawait run();")).toBe(true);
    expect(isProgram('ts', "import {\n  createTestKit,\n} from 'sluice/testing';")).toBe(true);
    expect(isProgram('ts', "import type { Keyed } from \"sluice\";")).toBe(true);
  });

  it('leaves fragments, other languages and other packages alone', () => {
    expect(isProgram('ts', 'const p = pipeline();')).toBe(false);
    expect(isProgram('js', "import { pipeline } from 'sluice';")).toBe(false);
    expect(isProgram('ts', "import { x } from 'sluice-extra';")).toBe(false);
    expect(isProgram('ts', "import { x } from '../src/index.js';")).toBe(false);
  });

  it('finds snippets to check in the README and the docs', () => {
    expect(byFile('README.md').length).toBeGreaterThan(0);
    expect(reports.length).toBeGreaterThanOrEqual(11);
  });
});

describe.each(documentedFiles())('%s', (file) => {
  const checked = byFile(file);
  it.skipIf(checked.length === 0)('has snippets that type-check against src/', () => {
    const failures = checked
      .filter((report) => report.diagnostics.length > 0)
      .map(({ snippet, diagnostics }) => `${snippet.file}:${snippet.line} under "${snippet.heading}":\n  ${diagnostics.join('\n  ')}`);
    expect(failures.join('\n\n')).toBe('');
  });
});
