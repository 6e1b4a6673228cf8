/**
 * defineJob's options and the brand it puts on a job: `parseArgs` turns command-line strings into
 * the job's args (the strings themselves without one), and `isJobModule` tells its jobs from
 * anything else, also across copies of the library.
 */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, defineJob, fromArray, isJobModule, pipeline, toArray } from '../../src/index.js';

const build = (lines: readonly string[]) => pipeline(fromArray(lines)).to(toArray());

describe('defineJob', () => {
  describe('options.parseArgs', () => {
    it('makes the args from command-line strings with the parser it was given', () => {
      const job = defineJob(import.meta.url, (args: { readonly lines: readonly string[] }) => build(args.lines), {
        parseArgs: (argv) => ({ lines: argv.map((arg) => arg.toUpperCase()) }),
      });
      expect(job.parseArgs(['a', 'b'])).toEqual({ lines: ['A', 'B'] });
    });

    it('passes on what the parser throws', () => {
      const job = defineJob(import.meta.url, (args: { readonly n: number }) => build([String(args.n)]), {
        parseArgs: ([n = '']) => {
          if (!/^\d+$/.test(n)) throw new InvalidOptionError('N', 'a number', n);
          return { n: Number(n) };
        },
      });
      expect(() => job.parseArgs(['x'])).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', option: 'N' }));
    });

    it('takes the strings themselves, as a new array, without a parser', () => {
      const job = defineJob(import.meta.url, (args: readonly string[]) => build(args));
      const argv = ['--input', 'book.txt'];
      const args = job.parseArgs(argv);
      expect(args).toEqual(['--input', 'book.txt']);
      expect(args).not.toBe(argv);
    });

    it('refuses argv that is not an array of strings, naming argv', () => {
      const job = defineJob(import.meta.url, (args: readonly string[]) => build(args));
      expect(() => job.parseArgs([1] as never)).toThrow(expect.objectContaining({ option: 'argv' }));
      expect(() => job.parseArgs('--input' as never)).toThrow(expect.objectContaining({ option: 'argv' }));
    });

    it.each([
      ['a parseArgs that is not a function', { parseArgs: 'yes' }, 'parseArgs'],
      ['options that are not an object', 'parse', 'options'],
    ])('refuses %s with an InvalidOptionError naming it', (_, options, option) => {
      const define = (): unknown => defineJob(import.meta.url, build, options as never);
      expect(define).toThrow(InvalidOptionError);
      expect(define).toThrow(expect.objectContaining({ option }));
    });

    it('takes options without parseArgs', () => {
      const job = defineJob(import.meta.url, build, { parseArgs: undefined });
      expect(job.parseArgs(['x'])).toEqual(['x']);
    });
  });
});

describe('isJobModule', () => {
  it('is true of a job defineJob made', () => {
    expect(isJobModule(defineJob(import.meta.url, build))).toBe(true);
  });

  it('is false of look-alikes and other values', () => {
    const job = defineJob(import.meta.url, build);
    for (const value of [{ ...job }, { url: import.meta.url, build, run: job.run, parseArgs: job.parseArgs }, null, undefined, 42, 'job', build]) {
      expect(isJobModule(value)).toBe(false);
    }
  });

  it('recognises the brand of another copy of the library (a registered symbol)', () => {
    const fromElsewhere = Object.defineProperty({}, Symbol.for('sluice.jobModule'), { value: true });
    expect(isJobModule(fromElsewhere)).toBe(true);
  });
});
