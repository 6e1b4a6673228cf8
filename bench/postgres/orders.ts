/**
 * What the postgres cases write: order events as a service has them (an id, a customer, an amount
 * in a currency, a time in epoch milliseconds), into an `orders` table as one would create it (the
 * id its primary key, the amount `numeric(12,2)`, the time `timestamptz`), every implementation
 * turning an event into a row with the same {@link orderRow}. A table's checksum is read back from
 * the server, so it proves every row arrived with its values in the right columns.
 */
import type { PostgresPool } from '../../src/postgres/postgres-pool.js';
import type { Scale } from '../harness/bench-case.js';

/** One order event. */
export interface OrderEvent {
  readonly orderId: string;
  readonly customer: string;
  readonly amount: number;
  readonly currency: string;
  /** When it was placed, in epoch milliseconds. */
  readonly ts: number;
}

/** The table's columns, in the order {@link orderRow} gives their values. */
export const ORDER_COLUMNS = ['order_id', 'customer', 'amount', 'currency', 'placed_at'] as const;

/** The key: the primary key's column. */
export const ORDER_KEY = 'order_id';

const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK'] as const;
const CUSTOMERS = 50_000;
const STARTED = Date.UTC(2026, 0, 1);

/** The id of the `i`th order: what the SQL of {@link prefillHalf} builds too. */
function orderId(i: number): string {
  return `ord-${String(i).padStart(8, '0')}`;
}

/**
 * The events of one pass: 200,000 (50,000 with `--quick`), each order once.
 * @example
 * ```ts
 * ordersInput('quick')[1]; // { orderId: 'ord-00000001', customer: 'cust-7919', amount: 31.37, currency: 'USD', ts: 1767225600013 }
 * ```
 */
export function ordersInput(scale: Scale): readonly OrderEvent[] {
  return Array.from({ length: scale === 'quick' ? 50_000 : 200_000 }, (_, i) => ({
    orderId: orderId(i),
    customer: `cust-${(i * 7919) % CUSTOMERS}`,
    amount: ((i * 3_137) % 1_000_000) / 100,
    currency: CURRENCIES[i % CURRENCIES.length] as string,
    ts: STARTED + i * 13,
  }));
}

/** An event as a row: its values in the order of {@link ORDER_COLUMNS}, the time as a `Date`. */
export function orderRow(order: OrderEvent): unknown[] {
  return [order.orderId, order.customer, order.amount, order.currency, new Date(order.ts)];
}

/** Creates `table` (a name that needs no quoting), empty. */
export async function createOrdersTable(pool: PostgresPool, table: string): Promise<void> {
  await pool.query(
    `CREATE TABLE ${table} (order_id text PRIMARY KEY, customer text NOT NULL, amount numeric(12,2) NOT NULL, currency char(3) NOT NULL, placed_at timestamptz NOT NULL)`,
  );
}

/**
 * Fills `table` with an earlier version of every other order of the first `count` (all in the
 * server, untimed): an upsert of the pass's events then updates half its rows and inserts the rest,
 * and leaves the table as an insert into an empty one would.
 */
export async function prefillHalf(pool: PostgresPool, table: string, count: number): Promise<void> {
  await pool.query(`INSERT INTO ${table} SELECT 'ord-' || lpad(i::text, 8, '0'), 'cust-old', 0, 'EUR', 'epoch' FROM generate_series(0, $1::int - 1, 2) AS i`, [
    count,
  ]);
  await pool.query(`ANALYZE ${table}`);
}

/**
 * A checksum of `table`'s rows that does not depend on their order: the row count, the total in
 * cents and a hash of every row's text columns and time, folded into a number below 2^31.
 */
export async function ordersChecksum(pool: PostgresPool, table: string): Promise<number> {
  const { rows } = await pool.query(
    `SELECT count(*)::text AS n, coalesce(sum(amount * 100), 0)::bigint::text AS cents, ` +
      `coalesce(sum(hashtext(order_id || '/' || customer || '/' || currency || '/' || (extract(epoch FROM placed_at) * 1000)::bigint::text)), 0)::text AS hash ` +
      `FROM ${table}`,
  );
  const row = rows[0] as { n: string; cents: string; hash: string };
  const folded = BigInt(row.n) * 1_000_003n + BigInt(row.cents) * 31n + BigInt(row.hash);
  return Number(((folded % 2_147_483_647n) + 2_147_483_647n) % 2_147_483_647n);
}
