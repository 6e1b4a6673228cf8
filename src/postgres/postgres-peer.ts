/**
 * The PostgreSQL client, node-postgres (`pg`), is an optional peer dependency: `sluice/postgres`
 * loads it when it is first used, so an application that never uses PostgreSQL installs nothing for
 * it, and one that uses it without `pg` gets an error that says what to install.
 */
import { MissingPeerDependencyError } from '../errors.js';

export const POSTGRES_PACKAGES = ['pg'] as const;

type Pg = typeof import('pg');

let loading: Promise<Pg> | undefined;

/**
 * The `pg` package.
 * @throws (rejects) MissingPeerDependencyError naming `pg`, when it is not installed.
 */
export function pgClient(): Promise<Pg> {
  loading ??= import('pg').then(
    (pg) => pg,
    (error: unknown) => {
      loading = undefined;
      throw new MissingPeerDependencyError('sluice/postgres', POSTGRES_PACKAGES, error);
    },
  );
  return loading;
}
