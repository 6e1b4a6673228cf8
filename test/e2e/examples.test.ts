import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../docs/markdown.js';

const run = promisify(execFile);

async function runExample(file: string): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', file], { cwd: projectRoot, timeout: 60_000 });
}

describe('examples', () => {
  it('quickstart prints the balance after a tell, a send and an ask', async () => {
    const { stdout } = await runExample('examples/quickstart.ts');
    expect(stdout).toBe('/user/alice has 10\n');
  });

  it('supervision restarts from snapshots, sets poison aside, matches the model and survives a new system', async () => {
    const { stdout } = await runExample('examples/supervision.ts');
    const stocks = stdout.split('\n').filter((line) => line.trim().startsWith('stock: '));
    expect(stdout).toContain('matches the model: true');
    expect(stdout).toContain('dead letter (poison): {"type":"line","text":"apple;oops"}');
    expect(stdout).toContain('restarted from snapshot');
    expect(stocks).toHaveLength(2);
    expect(stocks[0]).toBe(stocks[1]);
    expect(stocks[0]?.trim()).toBe('stock: {"lines":5,"apple":7,"pear":5,"plum":3}');
  });

  it('bank-account prints the balances, the failed withdrawal and the mailbox metrics', async () => {
    const { stdout } = await runExample('examples/bank-account.ts');
    expect(stdout).toBe(
      [
        'dead letter for /user/bob: handler-failed (insufficient funds: 10000 < 1000000)',
        'alice: 10',
        'bob:   10000',
        `bob's mailbox: {"capacity":1024,"depth":0,"highWaterMark":1024,"dropped":0,"processed":10002,"waitingSenders":0}`,
        'system bank is terminated',
        '',
      ].join('\n'),
    );
  });
});
