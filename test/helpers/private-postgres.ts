/**
 * A PostgreSQL server of a test's own, for the cases that restart or stop the server: the shared
 * one serves every other test at the same time. It is Debian's server binaries (found under
 * /usr/lib/postgresql), a fresh cluster in a temporary folder with trust authentication on
 * loopback, on an unused port; run as the `postgres` user when the tests run as root, since the
 * server refuses to run as root. Where there are no binaries, the case is skipped with a printed
 * reason, or fails under `SLUICE_REQUIRE_SERVICES=1`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unusedPort } from './ports.js';

const run = promisify(execFile);

export interface PrivatePostgres {
  /** `postgresql://root@127.0.0.1:PORT/postgres`. */
  readonly url: string;
  /**
   * Stops the server at once (`immediate`: every session is cut) and starts it again; resolves once
   * it accepts connections. A restart asked for during another follows it.
   */
  restart(): Promise<void>;
  /** Stops the server and deletes its cluster. */
  remove(): Promise<void>;
}

/** The folder of the newest installed server's binaries, if any. */
function binaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** Why a private server cannot be had here, or undefined when it can. */
export function privatePostgresUnavailable(): string | undefined {
  if (binaries() !== undefined) return undefined;
  const reason = 'no PostgreSQL server binaries under /usr/lib/postgresql (Debian package postgresql)';
  if (process.env['SLUICE_REQUIRE_SERVICES'] === '1') throw new Error(`SLUICE_REQUIRE_SERVICES=1 but ${reason}`);
  console.warn(`skipping the PostgreSQL restart cases: ${reason}`);
  return reason;
}

/** How a private server authenticates: trust on loopback, or a password for user `root`. */
export interface PrivatePostgresOptions {
  /** With a password, logins need it (SCRAM-SHA-256); the URL then carries no password. */
  readonly password?: string | undefined;
}

/** Starts a private server; see the module's notes. */
export async function startPrivatePostgres(settings: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const bin = binaries();
  if (bin === undefined) throw new Error('no PostgreSQL server binaries');
  const asRoot = process.getuid?.() === 0;
  const exec = (command: string, args: readonly string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args]) : run(join(bin, command), [...args]);
  const dir = await mkdtemp(join(tmpdir(), 'sluice-pg-'));
  if (asRoot) await chown(dir, ...(await postgresIds(run)));
  const data = join(dir, 'data');
  const port = await unusedPort();
  if (settings.password === undefined) {
    await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'root', '--no-sync']);
  } else {
    const pwfile = join(dir, 'password');
    await writeFile(pwfile, `${settings.password}\n`);
    if (asRoot) await chown(pwfile, ...(await postgresIds(run)));
    await exec('initdb', ['-D', data, '-A', 'scram-sha-256', '--pwfile', pwfile, '-U', 'root', '--no-sync']);
  }
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = () => exec('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', 'start']);
  const stop = (mode: 'immediate' | 'fast') => exec('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
  await start();
  // Restarts asked for while one is under way run after it, not over it.
  let restarting = Promise.resolve();
  return {
    url: `postgresql://root@127.0.0.1:${port}/postgres`,
    restart() {
      restarting = restarting.then(async () => {
        await stop('immediate');
        await start();
      });
      return restarting;
    },
    async remove() {
      await stop('immediate').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresIds(exec: typeof run): Promise<[number, number]> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([exec('id', ['-u', 'postgres']), exec('id', ['-g', 'postgres'])]);
  return [Number(uid.trim()), Number(gid.trim())];
}
