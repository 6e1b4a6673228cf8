import { describe, expect, it } from 'vitest';
import { CORPUS } from '../../../bench/bugs/corpus.js';
import type { Exposure } from '../../../bench/bugs/planted-bug.js';

describe('CORPUS', () => {
  it('names each bug once, in kebab-case', () => {
    const names = CORPUS.map((bug) => bug.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('has a bug for every fault kind of the kit but poison, which no user-level bug needs (see planted-bug.ts)', () => {
    const needs = new Set<Exposure>(CORPUS.map((bug) => bug.needs));
    for (const kind of ['throw', 'crash', 'crash before commit', 'disorder', 'rescale', 'workers'] as const) expect(needs).toContain(kind);
    expect(needs).not.toContain('poison');
  });

  it('says in one sentence what each buggy twin does wrong', () => {
    for (const bug of CORPUS) expect(bug.defect).toMatch(/^[a-z][^.\n]*[a-z]$/);
  });
});
