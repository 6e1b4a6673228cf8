import { describe, expect, it } from 'vitest';
import { checkSnippets, docSnippets, documentedFiles, isProgram, type Snippet, type SnippetReport } from './snippets.js';

// A snippet that must fail, checked in the same Program, to show the check reports what it should.
const broken: Snippet = {
  file: 'docs/broken.md',
  heading: 'Broken',
  line: 40,
  code: "import { createSystem } from 'sluice';\n\nconst system = createSystem({ name: 7 });\nawait system.shutdown();",
};

// One Program for all snippets: building it (lib, @types/node, src/) is the slow part.
const [brokenReport, ...reports] = checkSnippets([broken, ...docSnippets()]);

function byFile(file: string): SnippetReport[] {
  return reports.filter((report) => report.snippet.file === file);
}

describe('the rule for a complete program', () => {
  it('takes ts blocks that import from sluice, sluice/testing, sluice/nats or sluice/postgres, also across lines', () => {
    expect(isProgram('ts', "import { pipeline } from 'sluice';\nawait run();")).toBe(true);
    expect(isProgram('ts', "import { fromJetStream } from 'sluice/nats';")).toBe(true);
    expect(isProgram('ts', "import { toPostgres } from 'sluice/postgres';")).toBe(true);
    expect(isProgram('ts', "import {\n  createTestKit,\n} from 'sluice/testing';")).toBe(true);
    expect(isProgram('ts', 'import type { Keyed } from "sluice";')).toBe(true);
  });

  it('leaves fragments, other languages and other packages alone', () => {
    expect(isProgram('ts', 'const p = pipeline();')).toBe(false);
    expect(isProgram('js', "import { pipeline } from 'sluice';")).toBe(false);
    expect(isProgram('ts', "import { x } from 'sluice-extra';")).toBe(false);
    expect(isProgram('ts', "import { x } from '../src/index.js';")).toBe(false);
  });

  it('reports a failing snippet at its line in the Markdown, with the diagnostic, and allows top-level await', () => {
    expect(brokenReport?.diagnostics).toEqual([expect.stringMatching(/^docs\/broken\.md:43:\d+ TS2322: Type 'number' is not assignable to type 'string/)]);
  });

  it('finds a complete program in the README and on every concept page', () => {
    const concepts = ['actors', 'mailboxes', 'supervision', 'state', 'pipelines', 'sources', 'checkpoints', 'testing', 'embedding', 'operations'];
    for (const file of ['README.md', ...concepts.map((page) => `docs/${page}.md`)]) {
      expect(byFile(file).length, file).toBeGreaterThan(0);
    }
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
