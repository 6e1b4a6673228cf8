/**
 * One read of a `fromPostgres` source, a page at a time: each page is one statement on the pool,
 * its rows handed to the pipeline as one batch, so reading costs one asynchronous step per page and
 * nothing stays open on the server between pages (no transaction, no cursor) however slowly the
 * pipeline takes them. A page the server could not answer because it was away is asked for again,
 * from the same offset, once it is back: nothing is lost or read twice.
 *
 * Bounded, the read ends at the last row there was when it began. Tailing, a read that has caught
 * up waits `pollIntervalMs` before it asks again, inside `next()`: it hands the pipeline no empty
 * batches, so the pipeline sees a silent source — its linger sends the watermark of what was read,
 * and `withTimestamps({ idleTimeoutMs })` counts the source idle — exactly as with any source that
 * has nothing to say.
 *
 * It is a {@link StoppableReader} because a read may wait for long (between polls, for a server
 * that is away): `return()` ends a pending `next()` at once, and ends the pool the read opened.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { STOPPED, StoppableReader, type Taken } from '../../internal/stoppable-reader.js';
import type { SourceItem } from '../../streams/sources/source.js';
import type { PostgresOffset } from '../from-postgres.js';
import type { PostgresArrayResult, PostgresConnectionChoice } from '../postgres-pool.js';
import type { KeysetStatements } from './keyset-statements.js';
import { leasePool, type PoolLease } from './pool-lease.js';
import { reconnecting } from './reconnecting.js';

/** One read's options, checked by `fromPostgres`, and where it starts. */
export interface PageSetup<TRecord> {
  readonly connection: PostgresConnectionChoice;
  readonly statements: KeysetStatements;
  /** The caller's query parameters. */
  readonly params: readonly unknown[];
  readonly batchSize: number;
  readonly tail: boolean;
  readonly pollIntervalMs: number;
  readonly maxReconnectWaitMs: number;
  readonly map: ((row: Record<string, unknown>) => TRecord) | undefined;
  /** Read the rows after these orderBy values (none: from the first row). */
  readonly after: readonly string[];
}

type Item<TRecord> = SourceItem<TRecord, PostgresOffset>;

/** What the read opened: the pool, and for a bounded read the orderBy values of its last row (undefined: no rows). */
interface Opened {
  readonly lease: PoolLease;
  readonly bound: readonly string[] | undefined;
}

/** The pages of one read; see above for how it stops. */
export class PostgresPages<TRecord> extends StoppableReader<Opened, Item<TRecord>[]> {
  readonly #setup: PageSetup<TRecord>;
  /** The orderBy values of the last row handed out, as text. */
  #after: readonly string[];
  /** Tailing: the last page was not full, so the next one waits `pollIntervalMs` before it asks. */
  #caughtUp = false;

  constructor(setup: PageSetup<TRecord>) {
    super();
    this.#setup = setup;
    this.#after = setup.after;
  }

  protected async open(): Promise<Opened> {
    const lease = await leasePool(this.#setup.connection);
    if (this.#setup.tail) return { lease, bound: undefined };
    try {
      const last = await this.#query(lease, this.#setup.statements.last, [...this.#setup.params]);
      const row = last.rows[0];
      return { lease, bound: row === undefined ? undefined : (row as readonly string[]) };
    } catch (error) {
      await lease.release();
      throw error;
    }
  }

  protected async take(opened: Opened): Promise<Taken<Item<TRecord>[]> | undefined> {
    const { tail, batchSize } = this.#setup;
    if (!tail && opened.bound === undefined) return undefined;
    for (;;) {
      if (this.#caughtUp && !(await this.#pause())) return undefined;
      const page = await this.until(this.#page(opened));
      if (page === STOPPED) return undefined;
      const items = this.#items(page);
      this.#caughtUp = tail && items.length < batchSize;
      if (items.length > 0) {
        // A bounded read that reached its last row is over: its pool goes now, not at the next call.
        const last = !tail && (items.length < batchSize || sameValues(this.#after, opened.bound as readonly string[]));
        return { value: items, last };
      }
      if (!tail) return undefined;
    }
  }

  protected close(opened: Opened): Promise<void> {
    return opened.lease.release();
  }

  /** The next page after `#after`. */
  #page({ lease, bound }: Opened): Promise<PostgresArrayResult> {
    const { statements, params, batchSize, tail } = this.#setup;
    const after = this.#after.length > 0;
    const values = [...params, ...this.#after, ...(tail ? [] : (bound as readonly string[])), batchSize];
    return this.#query(lease, statements.page(after, !tail), values);
  }

  /** `text` on the pool, asked again while the server is away (up to `maxReconnectWaitMs`), until the read ends. */
  #query(lease: PoolLease, text: string, values: unknown[]): Promise<PostgresArrayResult> {
    return reconnecting(() => lease.pool.query({ text, values, rowMode: 'array' }), {
      where: lease.where,
      maxWaitMs: this.#setup.maxReconnectWaitMs,
      signal: this.signal,
    });
  }

  /** Waits `pollIntervalMs`; false when the read ended meanwhile. */
  async #pause(): Promise<boolean> {
    try {
      await sleep(this.#setup.pollIntervalMs, undefined, { signal: this.signal });
      return true;
    } catch {
      return false;
    }
  }

  /** A page's rows as items, each with the offset after it; `#after` moves to the last. */
  #items({ rows, fields }: PostgresArrayResult): Item<TRecord>[] {
    const { map, statements } = this.#setup;
    const width = fields.length - statements.keyColumns;
    const makeRow = rowMaker(fields.slice(0, width).map((field) => field.name));
    const items: Item<TRecord>[] = [];
    for (const values of rows) {
      const row = makeRow(values);
      const next: PostgresOffset = { after: values.slice(width) as string[] };
      items.push(map === undefined ? { kind: 'record', value: row as TRecord, next } : mapped(map, row, next));
    }
    const last = items[items.length - 1];
    if (last !== undefined) this.#after = last.next.after;
    return items;
  }
}

/** `map(row)` as a record, or, when it throws, the row as a malformed item: a dead letter, never lost. */
function mapped<TRecord>(map: (row: Record<string, unknown>) => TRecord, row: Record<string, unknown>, next: PostgresOffset): Item<TRecord> {
  try {
    return { kind: 'record', value: map(row), next };
  } catch (error) {
    return { kind: 'malformed', raw: rowText(row), error, next };
  }
}

/**
 * Makes row objects with the columns `names`, as node-postgres makes them: from a template with
 * every name as an own property, so a column named `__proto__` is a column like any other (an
 * assignment would set the object's prototype instead), and of two columns with one name the last
 * one's value is kept.
 */
function rowMaker(names: readonly string[]): (values: readonly unknown[]) => Record<string, unknown> {
  const template: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const name of names) template[name] = null;
  return (values) => {
    const row: Record<string, unknown> = { ...template };
    for (let i = 0; i < names.length; i++) row[names[i] as string] = values[i];
    return row;
  };
}

/** A row as JSON text, for a dead letter: bigints as their digits, binary values as PostgreSQL writes bytea (`\x…`). */
function rowText(row: Record<string, unknown>): string {
  return JSON.stringify(row, function (this: Record<string, unknown>, key: string, value: unknown) {
    const original = this[key];
    if (typeof original === 'bigint') return original.toString();
    if (Buffer.isBuffer(original)) return `\\x${original.toString('hex')}`;
    return value;
  });
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
