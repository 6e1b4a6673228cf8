/**
 * The NATS flags of the commands that talk to a cluster, turned into connection options: the
 * servers, and every way the client authenticates. Secrets come from files or the environment
 * (`NATS_PASSWORD`, `NATS_TOKEN`), never from a flag a process listing would show; a user and
 * password written into a server URL pass through too. Nothing here is ever printed.
 */
import type { NatsConnectOptions } from '../nats/connect-nats.js';
import { UsageError } from './usage-error.js';

/** The flags every NATS command takes. */
export const NATS_FLAGS = ['nats', 'creds', 'nkey', 'user', 'tls-ca', 'tls-cert', 'tls-key'] as const;

export type NatsFlag = (typeof NATS_FLAGS)[number];

/** What the help of a NATS command says about these flags. */
export const NATS_FLAGS_HELP = `NATS:
  --nats URL[,URL...]  the NATS servers (required); a user and password in a URL
                       (nats://user:pass@host:4222) are used and never printed
  --creds FILE         a credentials file (user JWT and NKey seed, as nsc writes it)
  --nkey FILE          a file holding an NKey seed
  --user NAME          a user name; its password is read from NATS_PASSWORD
                       (a token, from NATS_TOKEN, when that is set)
  --tls-ca FILE        the CA certificate that signed the server's (TLS)
  --tls-cert FILE      this client's certificate, and --tls-key FILE its key (mutual TLS)`;

/** The connection options the flags ask for, with the environment's secrets. */
export function natsOptions(command: string, flags: { readonly [K in NatsFlag]?: string }, env: NodeJS.ProcessEnv): NatsConnectOptions {
  const nats = flags.nats;
  if (nats === undefined || nats === '') throw new UsageError(command, 'missing --nats URL (the NATS servers, e.g. nats://127.0.0.1:4222)');
  const servers = nats.split(',').map((server) => server.trim());
  for (const server of servers) {
    if (!/^(nats|tls|wss?):\/\/[^\s/]+$/.test(server) && !/^[^\s:/]+:\d+$/.test(server)) {
      throw new UsageError(command, `--nats must be server URLs such as nats://127.0.0.1:4222, separated by commas; got one that is not`);
    }
  }
  if ((flags['tls-cert'] === undefined) !== (flags['tls-key'] === undefined)) throw new UsageError(command, '--tls-cert and --tls-key go together');
  const tls: { caFile?: string; certFile?: string; keyFile?: string } = {};
  if (flags['tls-ca'] !== undefined) tls.caFile = flags['tls-ca'];
  if (flags['tls-cert'] !== undefined) tls.certFile = flags['tls-cert'];
  if (flags['tls-key'] !== undefined) tls.keyFile = flags['tls-key'];
  const password = env['NATS_PASSWORD'];
  const token = env['NATS_TOKEN'];
  if (flags.user !== undefined && (password === undefined || password === ''))
    throw new UsageError(command, '--user needs its password in the NATS_PASSWORD environment variable');
  return {
    servers,
    ...(flags.creds === undefined ? {} : { credsFile: flags.creds }),
    ...(flags.nkey === undefined ? {} : { nkeySeedFile: flags.nkey }),
    ...(flags.user === undefined || password === undefined ? {} : { user: flags.user, pass: password }),
    ...(token === undefined || token === '' ? {} : { token }),
    ...(Object.keys(tls).length === 0 ? {} : { tls }),
  };
}

/** The connection options and the job id of a command about a cluster job (`--job` is required). */
export function clusterJob(
  command: string,
  flags: { readonly [K in NatsFlag | 'job']?: string },
  env: NodeJS.ProcessEnv,
): { readonly nats: NatsConnectOptions; readonly jobId: string } {
  const nats = natsOptions(command, flags, env);
  const jobId = flags.job;
  if (jobId === undefined) throw new UsageError(command, 'missing --job ID (the id every worker of the job is started with)');
  return { nats, jobId };
}
