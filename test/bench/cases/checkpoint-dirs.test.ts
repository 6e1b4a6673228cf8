import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointDirs, withCheckpointDirs } from '../../../bench/cases/checkpoint-dirs.js';
import { measure } from '../../../bench/harness/measure.js';

describe('CheckpointDirs', () => {
  describe('next', () => {
    it('makes a fresh empty folder under the temp folder, removing the one before', () => {
      const dirs = new CheckpointDirs('test');
      const first = dirs.next();
      writeFileSync(join(first, 'manifest'), 'x');
      const second = dirs.next();
      expect(second).not.toBe(first);
      expect(dirname(second)).toBe(tmpdir());
      expect(existsSync(first)).toBe(false);
      expect(readdirSync(second)).toEqual([]);
      dirs.remove();
      expect(existsSync(second)).toBe(false);
    });
  });

  describe('current', () => {
    it('throws before the first folder is made and after it is removed', () => {
      const dirs = new CheckpointDirs('test');
      expect(() => dirs.current).toThrow(/call next\(\) first/);
      const made = dirs.next();
      expect(dirs.current).toBe(made);
      dirs.remove();
      expect(() => dirs.current).toThrow(/call next\(\) first/);
    });
  });
});

describe('withCheckpointDirs', () => {
  it('gives every run its own empty folder and leaves none behind', async () => {
    const seen: string[] = [];
    const runner = withCheckpointDirs('test', async (dir) => {
      expect(readdirSync(dir)).toEqual([]);
      writeFileSync(join(dir, 'chk'), 'x');
      seen.push(dir);
      return 1;
    });
    await measure(runner, 1, { warmups: 1, runs: 2 });
    expect(new Set(seen).size).toBe(3);
    for (const dir of seen) expect(existsSync(dir)).toBe(false);
  });
});
