/**
 * The `sluice` command line from outside (`node bin/sluice.js`): help on every level exits 0 on
 * standard output, and every kind of bad command line exits 2 with a one-line reason on standard
 * error, followed only by the pointer to the help. Bad flags are refused before the job module is
 * imported, so these processes are quick, and they run side by side.
 */
import { describe, expect, it } from 'vitest';
import { sluice } from './sluice.js';

const JOB = 'examples/wordcount.job.ts';
const INPUT = 'examples/data/sluice-gate.txt';

describe('sluice', () => {
  describe('--help', () => {
    it('lists the commands and exits 0, for --help and -h alike', async () => {
      const [long, short] = await Promise.all([sluice(['--help']), sluice(['-h'])]);
      for (const help of [long, short]) {
        expect(help).toMatchObject({ code: 0, stderr: '' });
        expect(help.stdout).toMatch(/^Usage: sluice <command>/);
        expect(help.stdout).toMatch(/^ {2}run {5}run a job module/m);
        expect(help.stdout).toContain('-h, --help');
      }
      expect(short.stdout).toBe(long.stdout);
    });

    it('describes run, its flags, job arguments and exit codes, for run --help and run -h alike', async () => {
      const [long, short, amid] = await Promise.all([sluice(['run', '--help']), sluice(['run', '-h']), sluice(['run', JOB, '--bogus', '-h'])]);
      for (const help of [long, short, amid]) {
        expect(help).toMatchObject({ code: 0, stderr: '' });
        expect(help.stdout).toMatch(/^Usage: sluice run JOB \[--workers N\] \[--checkpoint-dir DIR\] \[--dashboard PORT\] \[-- JOB-ARGS\.\.\.\]/);
        for (const mentioned of [
          '--workers N',
          '--checkpoint-dir DIR',
          '--dashboard PORT',
          '--dashboard-host ADDR',
          '--dashboard-token TOKEN',
          '-h, --help',
          'parseArgs',
          'SIGINT',
          '130',
          '143',
        ]) {
          expect(help.stdout).toContain(mentioned);
        }
      }
    });
  });

  describe('a bad command line', () => {
    // The reason line, exactly; or a pattern, where the line goes on with what the library was given.
    const cases: readonly (readonly [string, readonly string[], string | RegExp])[] = [
      ['no command', [], 'sluice: missing command (one of: run, worker, status)'],
      ['an unknown command', ['deploy'], 'sluice: unknown command "deploy" (one of: run, worker, status)'],
      ['an unknown flag of sluice', ['--verbose', 'run', JOB], "sluice: unknown option '--verbose'"],
      ['no JOB', ['run'], 'sluice run: missing JOB (the job module to run)'],
      ['an unknown flag of run', ['run', JOB, '--bogus'], "sluice run: unknown option '--bogus'"],
      ['a flag without its value', ['run', JOB, '--workers'], "sluice run: option '--workers <value>' argument missing"],
      ['--checkpoint-dir without its value', ['run', JOB, '--checkpoint-dir'], "sluice run: option '--checkpoint-dir <value>' argument missing"],
      ['--workers that is not a number', ['run', JOB, '--workers', 'x'], 'sluice run: --workers must be a positive integer, got "x"'],
      ['--workers 0', ['run', JOB, '--workers', '0'], 'sluice run: --workers must be a positive integer, got "0"'],
      ['--workers that is a fraction', ['run', JOB, '--workers=1.5'], 'sluice run: --workers must be a positive integer, got "1.5"'],
      ['a second positional argument', ['run', JOB, INPUT], `sluice run: unexpected argument "${INPUT}"; the job's arguments go after --`],
      ['a JOB that does not exist', ['run', 'examples/nope.job.ts'], 'sluice run: no job module at examples/nope.job.ts'],
      [
        'job arguments the job refuses',
        ['run', JOB, '--', '--input', INPUT, '--partitions', '0'],
        'sluice run: examples/wordcount.job.ts: Expected `--partitions` to be an integer from 1 to 128, got `"0"`',
      ],
      [
        '--checkpoint-dir for a job whose source cannot be read again',
        ['run', 'test/cli/fixtures/one-shot.job.ts', '--checkpoint-dir', 'never-made'],
        /^sluice run: --checkpoint-dir: Expected `checkpoint` to be a run whose source can be read again from an offset; iterable cannot, got `.*`$/,
      ],
      [
        'a JOB whose default export is not a job',
        ['run', 'test/cli/fixtures/not-a-job.ts'],
        "sluice run: JOB's default export must be a job made by defineJob(import.meta.url, build); test/cli/fixtures/not-a-job.ts exports an object",
      ],
    ];

    it.each(cases.map(([what, args, reason]) => ({ what, args, reason })))('exits 2 with one line naming the problem: $what', async ({ args, reason }) => {
      const { code, stdout, stderr } = await sluice(args);
      const command = args[0] === 'run' ? 'sluice run' : 'sluice';
      const [line = '', hint, ...more] = stderr.split('\n');
      expect({ code, stdout, hint, more }).toEqual({ code: 2, stdout: '', hint: `Run "${command} --help" for usage.`, more: [''] });
      if (typeof reason === 'string') expect(line).toBe(reason);
      else expect(line).toMatch(reason);
    });
  });
});
