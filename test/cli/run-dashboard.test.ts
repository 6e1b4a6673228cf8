/**
 * `sluice run --dashboard`: the line on stderr with the real port, the snapshot served while the
 * job runs, the server gone when the run ends (the process exits by itself), the warning for an
 * address other hosts reach without a token, the token asked for, and bad values refused with exit 2
 * and one line before the job starts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardSample } from '../../src/dashboard/dashboard-view.js';
import { openFeed } from '../dashboard/http-client.js';
import { sluice, startSluice, type Running } from './sluice.js';

const ENDLESS = 'test/cli/fixtures/endless.job.ts';
const LINE = /^sluice run: dashboard at (http:\/\/127\.0\.0\.1:(\d+)\/dashboard)$/m;

/** Resolves with the first match of `pattern` in the process's stderr, as it comes. */
function stderrMatch(run: Running, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    run.child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = pattern.exec(text);
      if (match !== null) resolve(match);
    });
    run.child.stderr.once('end', () => reject(new Error(`stderr ended without ${pattern}:\n${text}`)));
  });
}

describe('sluice run --dashboard', { timeout: 60_000 }, () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-cli-dashboard-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says where it serves the dashboard, serves the running job there, and closes with the run', async () => {
    const run = startSluice(['run', ENDLESS, '--dashboard', '0']);
    const [, url, port] = await stderrMatch(run, LINE);
    expect(Number(port)).toBeGreaterThan(0);
    await run.stderrLine('endless: started');
    // The first sample after the run began is the first with the job in it.
    const feed = await openFeed(`${url}/feed`);
    let fed: DashboardSample;
    do fed = JSON.parse((await feed.nextEvent()).data) as DashboardSample;
    while (Array.isArray(fed) || fed.jobs.length === 0);
    feed.close();
    const answer = await fetch(`${url}/snapshot.json`);
    expect(answer.status).toBe(200);
    const sample = (await answer.json()) as DashboardSample;
    expect(sample.jobs.map((job) => [job.name, job.stages.map((stage) => stage.kind)])).toEqual([['pipeline', ['source', 'sink']]]);
    expect(sample.jobs[0]?.status).toBe('running');
    expect((await fetch(`http://127.0.0.1:${port}/elsewhere`)).status).toBe(404);
    run.child.kill('SIGTERM');
    const ended = await run.ended;
    // The server and its timers are gone: the process ended by itself, with the run's status.
    expect(ended.code).toBe(143);
  });

  it('serves a job run to completion, then exits 0', async () => {
    const input = join(dir, 'input.txt');
    await writeFile(input, 'the quick brown fox\n'.repeat(2000));
    const run = startSluice(['run', 'examples/wordcount.job.ts', '--dashboard', '0', '--', '--input', input, '--output', join(dir, 'out.jsonl')]);
    await stderrMatch(run, LINE);
    const ended = await run.ended;
    expect(ended.code).toBe(0);
    expect(ended.stderr).toMatch(/^sluice run: dashboard at http:\/\/127\.0\.0\.1:\d+\/dashboard\nsluice run: job complete in /);
  });

  it('asks for the token when given one, and warns on an address other hosts reach without one', async () => {
    const guarded = startSluice(['run', ENDLESS, '--dashboard', '0', '--dashboard-token', 's3cret']);
    const [, url] = await stderrMatch(guarded, LINE);
    expect((await fetch(`${url}/snapshot.json`)).status).toBe(401);
    expect((await fetch(`${url}/snapshot.json`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    expect((await fetch(`${url}/snapshot.json?token=s3cret`)).status).toBe(200);
    guarded.child.kill('SIGTERM');
    expect((await guarded.ended).stderr).not.toContain('warning');

    const open = startSluice(['run', ENDLESS, '--dashboard', '0', '--dashboard-host', '0.0.0.0']);
    const [warning] = await stderrMatch(open, /^sluice run: warning: .*$/m);
    expect(warning).toBe(
      'sluice run: warning: the dashboard on 0.0.0.0 has no token: anyone who can reach it sees the job and its dead letters (give --dashboard-token)',
    );
    open.child.kill('SIGTERM');
    expect((await open.ended).stderr).toMatch(/^sluice run: dashboard at http:\/\/0\.0\.0\.0:\d+\/dashboard\n/);
  });

  it.each([
    [['--dashboard', 'x'], '--dashboard must be a port number from 0 to 65535, got "x"'],
    [['--dashboard', '65536'], '--dashboard must be a port number from 0 to 65535, got "65536"'],
    [['--dashboard', '-1'], "option '--dashboard' argument is ambiguous"],
    [['--dashboard', ''], '--dashboard must be a port number from 0 to 65535, got ""'],
    [['--dashboard-host', '0.0.0.0'], '--dashboard-host needs --dashboard PORT'],
    [['--dashboard-token', 't'], '--dashboard-token needs --dashboard PORT'],
    [['--dashboard', '0', '--dashboard-host', 'a b'], '--dashboard-host must be a host name or an IP address, got "a b"'],
    [['--dashboard', '0', '--dashboard-token', 'a b'], '--dashboard-token must be visible ASCII characters without spaces'],
    [['--dashboard', '0', '--dashboard-host', '192.0.2.1'], '--dashboard: cannot listen on 192.0.2.1:0 (EADDRNOTAVAIL)'],
  ])('refuses %j with exit 2 and one line', async (flags, reason) => {
    const ended = await sluice(['run', ENDLESS, ...flags]);
    expect(ended).toEqual({ code: 2, signal: null, stdout: '', stderr: `sluice run: ${reason}\nRun "sluice run --help" for usage.\n` });
  });
});

describe('sluice worker --dashboard', () => {
  it.each([
    [['--dashboard', 'x'], '--dashboard must be a port number from 0 to 65535, got "x"'],
    [['--dashboard-token', 't'], '--dashboard-token needs --dashboard PORT'],
  ])('refuses %j with exit 2 and one line, as sluice run does', async (flags, reason) => {
    const ended = await sluice(['worker', 'examples/wordcount.job.ts', '--nats', 'nats://127.0.0.1:4222', '--job', 'j', ...flags]);
    expect(ended).toEqual({ code: 2, signal: null, stdout: '', stderr: `sluice worker: ${reason}\nRun "sluice worker --help" for usage.\n` });
  });

  it('says in its help that it serves the runs it leads', async () => {
    const ended = await sluice(['worker', '--help']);
    expect(ended.code).toBe(0);
    expect(ended.stdout).toContain('--dashboard PORT');
    expect(ended.stdout).toContain('runs this worker leads');
  });
});
