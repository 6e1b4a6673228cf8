/**
 * postgres-insert and postgres-upsert (`--case postgres` runs both): 200,000 order events (50,000
 * with `--quick`) written into a PostgreSQL table with a primary key, each pass into a fresh table
 * of its own, by
 *
 * - plain node-postgres, the floor: the loop a service writes without Sluice, at its best (1,000-row
 *   statements, prepared, a transaction per ten of them: see `postgres/plain-pg.ts`);
 * - Sluice, `pipeline(fromArray(orders)).to(toPostgres({ … }))` without checkpoints: at-least-once,
 *   each statement committed as it goes;
 * - Sluice with checkpoints every second into a temporary folder: exactly-once, the rows of each
 *   interval staged, then applied in one transaction with the job's commit row.
 *
 * Upsert: the table starts with an earlier version of every other order (untimed), so half the rows
 * update and half insert; the statements are the same with `ON CONFLICT (order_id) DO UPDATE`.
 * Every implementation ends with the same table, whose checksum is read back from the server after
 * the pass, untimed (`verify`). A pass's time includes connecting (each opens its connection in
 * the pass, as a job does) and, for Sluice, what the sink checks at its start. The tables, and the
 * jobs' rows in `sluice_commits` and `sluice_staged`, are removed after each pass, untimed. Without
 * a server the cases are skipped, saying why.
 */
import { fromArray, pipeline } from '../../src/index.js';
import { toPostgres } from '../../src/postgres/to-postgres.js';
import { defineCase, type BenchCase, type ImplementationSpec, type RunPlan, type Scale } from '../harness/bench-case.js';
import { ORDER_COLUMNS, ORDER_KEY, orderRow, ordersInput, type OrderEvent } from '../postgres/orders.js';
import { PassTables } from '../postgres/pass-tables.js';
import { pgUrl, postgresUnavailable } from '../postgres/pg-service.js';
import { postgresFindings, type PostgresRowNames, type SinkPassObservation } from '../postgres/postgres-findings.js';
import { ROWS_PER_STATEMENT, ROWS_PER_TRANSACTION, writeWithPg, type WriteMode } from '../postgres/plain-pg.js';
import { CHECKPOINT_INTERVAL_MS, CheckpointDirs } from './checkpoint-dirs.js';

/** The case's sizes, unless a test asks for fewer orders. */
export interface PostgresCaseOptions {
  /** Orders per pass at each scale: the first of the input. @defaultValue all of it (50,000 and 200,000) */
  readonly orders?: Readonly<Record<Scale, number>> | undefined;
  /** @defaultValue the bench's default plans */
  readonly plans?: Readonly<Record<Scale, RunPlan>> | undefined;
  /**
   * A word in the names of the case's tables and checkpoint folders, so that a test can tell its
   * own from those of a bench running beside it. @defaultValue none
   */
  readonly label?: string | undefined;
}

/** The rows of the case of `mode`, by name. */
export function postgresRowNames(mode: WriteMode): PostgresRowNames {
  const interval = CHECKPOINT_INTERVAL_MS >= 1000 ? `${CHECKPOINT_INTERVAL_MS / 1000} s` : `${CHECKPOINT_INTERVAL_MS} ms`;
  return {
    plainPg: `pg ${mode} loop, ${ROWS_PER_STATEMENT.toLocaleString('en-US')}-row prepared statements, a transaction per ${ROWS_PER_TRANSACTION.toLocaleString('en-US')} rows`,
    atLeastOnce: `sluice toPostgres ${mode}, no checkpoints (at-least-once)`,
    exactlyOnce: `sluice toPostgres ${mode}, checkpoints every ${interval} (exactly-once)`,
  };
}

/** The pass's orders into a fresh table with plain node-postgres. */
function plainPg(mode: WriteMode, names: PostgresRowNames, tag: string, prefill: boolean): ImplementationSpec<readonly OrderEvent[]> {
  return {
    impl: names.plainPg,
    role: 'floor',
    create: (orders) => {
      const tables = new PassTables({ label: `${tag}pg_${mode}`, prefill: prefill ? orders.length : undefined });
      return {
        prepare: async () => void (await tables.next()),
        run: async () => {
          await writeWithPg(pgUrl(), tables.current, orders, mode);
          return 0;
        },
        verify: () => tables.checksum(),
        dispose: () => tables.remove(),
      };
    },
  };
}

/** The pass's orders into a fresh table with Sluice's `toPostgres`, with checkpoints (exactly-once) or without. */
function sluice(mode: WriteMode, names: PostgresRowNames, tag: string, prefill: boolean, exactlyOnce: boolean): ImplementationSpec<readonly OrderEvent[]> {
  return {
    impl: exactlyOnce ? names.exactlyOnce : names.atLeastOnce,
    role: 'sluice',
    ...(exactlyOnce ? { compareWith: [names.atLeastOnce] } : {}),
    create: (orders) => {
      const tables = new PassTables({ label: `${tag}sluice_${mode}`, prefill: prefill ? orders.length : undefined });
      const dirs = new CheckpointDirs(`postgres-${tag}${mode}`);
      let commits = 0;
      return {
        async prepare() {
          await tables.next();
          if (exactlyOnce) dirs.next();
        },
        async run() {
          const table = tables.current;
          const sink = toPostgres<OrderEvent>({
            connectionString: pgUrl(),
            table,
            columns: ORDER_COLUMNS,
            mode,
            ...(mode === 'upsert' ? { key: ORDER_KEY } : {}),
            row: orderRow,
            // The table's name is the job's by default; said here so the clean-up knows it.
            job: table,
          });
          const checkpoint = exactlyOnce ? { checkpoint: { dir: dirs.current, interval: CHECKPOINT_INTERVAL_MS } } : {};
          await pipeline(fromArray(orders))
            .to(sink)
            .run({ name: 'bench', ...checkpoint }).done;
          commits = sink.stats().commits;
          return 0;
        },
        verify: () => tables.checksum(),
        observe: (): SinkPassObservation => ({ commits }),
        async dispose() {
          dirs.remove();
          await tables.remove();
        },
      };
    },
  };
}

/**
 * The postgres case of `mode` at the given sizes: the registry's runs the whole input; a test
 * passes a few thousand orders.
 * @example
 * ```ts
 * const tiny = postgresCase('insert', { orders: { quick: 3_000, full: 3_000 } });
 * ```
 */
export function postgresCase(mode: WriteMode, options: PostgresCaseOptions = {}): BenchCase {
  const names = postgresRowNames(mode);
  const name = `postgres-${mode}`;
  const prefill = mode === 'upsert';
  const tag = options.label === undefined ? '' : `${options.label}_`;
  return defineCase({
    name,
    unit: 'rows',
    input(scale) {
      const orders = ordersInput(scale);
      const wanted = options.orders?.[scale];
      return wanted === undefined ? orders : orders.slice(0, wanted);
    },
    operations: (orders) => orders.length,
    plans: options.plans,
    unavailable: postgresUnavailable,
    findings: (rows) => postgresFindings(name, names, rows),
    implementations: [plainPg(mode, names, tag, prefill), sluice(mode, names, tag, prefill, false), sluice(mode, names, tag, prefill, true)],
  });
}
