/**
 * `sluice worker` and `sluice status` from outside: their help, what a bad command line gets (exit
 * 2 and one line naming the problem), an unreachable server (exit 1, named without its
 * credentials), a job nobody ran, and a worker that leaves on SIGTERM with exit 0.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { connectNats } from '../../src/nats/connect-nats.js';
import { checkNats } from '../helpers/services.js';
import { unusedPort } from '../helpers/ports.js';
import { freshJobId, removeJob } from '../cluster/cluster-fixtures.js';
import { sluice, startSluice } from './sluice.js';

const nats = await checkNats();

/** The one line of a usage error, and that it is the only reason given. */
function usageLine(stderr: string): string {
  const [line = '', hint, ...more] = stderr.split('\n');
  expect(hint).toMatch(/^Run "sluice (worker|status) --help" for usage\.$/);
  expect(more.join('')).toBe('');
  return line;
}

describe('sluice worker and sluice status', () => {
  const jobs: string[] = [];
  afterAll(async () => {
    if (nats.url === undefined || jobs.length === 0) return;
    const nc = await connectNats({ servers: nats.url });
    for (const job of jobs) await removeJob(nc, job);
    await nc.close();
  });

  it('describe their flags, the NATS credentials and exit codes in --help', async () => {
    const worker = await sluice(['worker', '--help']);
    expect(worker.code).toBe(0);
    for (const flag of [
      '--nats',
      '--job',
      '--worker-id',
      '--lease-ms',
      '--checkpoint-interval',
      '--replicas',
      '--creds',
      '--nkey',
      '--user',
      'NATS_PASSWORD',
      '--tls-ca',
      'Exit status',
    ]) {
      expect(worker.stdout).toContain(flag);
    }
    const status = await sluice(['status', '-h']);
    expect(status.code).toBe(0);
    for (const flag of ['--nats', '--job', '--json', 'Exit status']) expect(status.stdout).toContain(flag);
    const top = await sluice(['--help']);
    expect(top.stdout).toMatch(/worker\s+join a job/);
    expect(top.stdout).toMatch(/status\s+show/);
  });

  it.each([
    [['worker', 'examples/wordcount.job.ts', '--job', 'j'], /missing --nats URL/],
    [['worker', 'examples/wordcount.job.ts', '--nats', 'nats://127.0.0.1:4222'], /missing --job ID/],
    [['worker', 'examples/wordcount.job.ts', '--nats', 'nats://127.0.0.1:4222', '--job', 'a.b', '--', '--input', 'x'], /--job: .*letters, digits/],
    [['worker', 'examples/wordcount.job.ts', '--nats', 'nats://127.0.0.1:4222', '--job', 'j', '--lease-ms', '0'], /--lease-ms must be a positive integer/],
    [['worker', 'examples/wordcount.job.ts', '--nats', 'not a url', '--job', 'j'], /--nats must be server URLs/],
    [['worker', 'examples/wordcount.job.ts', '--nats', 'nats://127.0.0.1:4222', '--job', 'j', '--tls-cert', 'c.pem'], /--tls-cert and --tls-key go together/],
    [['worker', 'examples/wordcount.job.ts', '--nats', 'nats://127.0.0.1:4222', '--job', 'j', '--user', 'u'], /NATS_PASSWORD/],
    [['worker', 'examples/wordcount.job.ts', '--nats', 'nats://127.0.0.1:4222', '--job', 'j', '--bogus'], /unknown option '--bogus'/],
    [['worker', 'examples/wordcount.job.ts', '--nats', 'nats://127.0.0.1:4222', '--job', 'j', '--', '--partitions', '0', '--input', 'x'], /--partitions/],
    [['status', '--nats', 'nats://127.0.0.1:4222'], /missing --job ID/],
    [['status', '--nats', 'nats://127.0.0.1:4222', '--job', 'j', 'extra'], /unexpected argument "extra"/],
  ])('refuses %j with exit 2 and one line', async (args, reason) => {
    const { code, stderr } = await sluice(args);
    expect(code).toBe(2);
    expect(usageLine(stderr)).toMatch(reason);
  });

  it('exits 1 naming the server, never its password, when NATS does not answer', async () => {
    const port = await unusedPort();
    for (const command of [
      [
        'worker',
        'examples/wordcount.job.ts',
        '--nats',
        `nats://alice:hunter2@127.0.0.1:${port}`,
        '--job',
        'j',
        '--',
        '--input',
        'examples/data/sluice-gate.txt',
      ],
      ['status', '--nats', `nats://alice:hunter2@127.0.0.1:${port}`, '--job', 'j'],
    ]) {
      const { code, stdout, stderr } = await sluice(command);
      expect(code).toBe(1);
      expect(stderr).toContain(`nats://***@127.0.0.1:${port}`);
      expect(stdout + stderr).not.toContain('hunter2');
    }
  });

  it.skipIf(nats.url === undefined)('status says when no worker ever joined a job, exit 1', async () => {
    const job = freshJobId('never');
    const { code, stdout } = await sluice(['status', '--nats', nats.url as string, '--job', job]);
    expect(code).toBe(1);
    expect(stdout).toBe(`job ${job}: unknown (no worker has joined a job with this id on this server)\n`);
  });

  it.skipIf(nats.url === undefined)('a worker leaves on SIGTERM: its partitions go, it exits 0 saying it left', async () => {
    const job = freshJobId('sigterm');
    jobs.push(job);
    const running = startSluice(['worker', 'test/cli/fixtures/endless.job.ts', '--nats', nats.url as string, '--job', job, '--worker-id', 'solo']);
    await running.stderrLine('endless: started');
    running.child.kill('SIGTERM');
    const { code, stdout, stderr } = await running.ended;
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(`worker solo left job ${job}\n`);
  });
});
