/**
 * Which timers keep a host process alive, seen from outside: a plain script whose only pending work
 * is an ask timeout or a restart backoff must live to see it (not exit early with code 13, printing
 * nothing), and a script whose system is merely idle, with a periodic snapshot timer, must exit by
 * itself. Each case runs `keep-alive-child.ts` in its own process and awaits its exit.
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../docs/markdown.js';

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Longer than any scenario needs; a child still alive then is killed, and the test fails on it. */
const GUARD_MS = 20_000;

function runScenario(scenario: string): Promise<Exit> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'test/e2e/keep-alive-child.ts', scenario],
      { cwd: projectRoot, timeout: GUARD_MS, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, signal: error?.signal ?? null, stdout, stderr });
      },
    );
  });
}

describe('systemClock', () => {
  describe('setTimeout', () => {
    it('keeps a script alive until an ask whose handler forgets ctx.reply times out', { timeout: 60_000 }, async () => {
      const exit = await runScenario('forgotten-reply');
      expect(exit).toMatchObject({ code: 0, signal: null, stdout: 'AskTimeoutError ASK_TIMEOUT\n' });
    });

    it('keeps a script alive through a restart backoff until the actor has restarted', { timeout: 60_000 }, async () => {
      const exit = await runScenario('backoff');
      expect(exit).toMatchObject({ code: 0, signal: null, stdout: 'restarted; state 1 after 2 attempts\n' });
    });

    it('lets a script whose system is idle exit by itself while a periodic snapshot timer is pending', { timeout: 60_000 }, async () => {
      const exit = await runScenario('idle-snapshots');
      expect(exit).toMatchObject({ code: 0, signal: null, stdout: 'idle; state 1\n' });
    });
  });
});
