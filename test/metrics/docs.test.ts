import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { codeBlocks, projectRoot, readProjectFile } from '../docs/markdown.js';

const run = promisify(execFile);

function asShown(file: string): string {
  return readProjectFile(file)
    .replace("from '../../src/index.js'", "from 'sluice'")
    .replace(/^(\/\/.*\n)+/, '') // the header comment
    .trimEnd();
}

describe('docs/operations.md', () => {
  it('opens with test/metrics/doc-example.ts, which runs and prints what it says', async () => {
    const shown = codeBlocks(readProjectFile('docs/operations.md')).find((block) => block.lang === 'ts');
    expect(shown?.code).toBe(asShown('test/metrics/doc-example.ts'));
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'test/metrics/doc-example.ts'], { cwd: projectRoot, timeout: 60_000 });
    expect(stdout).toBe('sluice_pipeline_records_read_total{sluice_pipeline_name="words"} 4\n');
    expect(stderr).toMatch(/actor \/user\/words\/reduce-0-partition-\d restarted from its snapshot/);
  });
});

describe('docs/embedding.md', () => {
  it('shows test/metrics/embedding-example.ts, which the typecheck covers', () => {
    const shown = codeBlocks(readProjectFile('docs/embedding.md')).find((block) => block.lang === 'ts');
    expect(shown?.code).toBe(asShown('test/metrics/embedding-example.ts'));
  });
});
