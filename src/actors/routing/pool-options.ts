/**
 * Options of `spawnPool`, validated in one place before anything is spawned, each bad one named as
 * the caller wrote it (`routee.mailbox.capacity`, `resizer.max`).
 */
import { InvalidOptionError } from '../../errors.js';
import { isObject, positiveInteger } from '../../internal/validate.js';
import type { SupervisorOptions } from '../../supervision/strategy.js';
import { resolveSpawnOptions, type SpawnOptions } from '../spawn-options.js';
import { createRoutingLogic, type RoutingLogic } from './internal/routing-logic.js';
import { resolveResizer, type ResizerOptions, type ResolvedResizer } from './resizer.js';
import type { RoutingOptions } from './routing-ref.js';

/** How each routee is spawned: every spawn option but its name (a pool names its routees `routee-<n>`). */
export type RouteeOptions = Omit<SpawnOptions, 'name'>;

/** Options of {@link spawnPool}. */
export interface PoolOptions<TMessage> extends RoutingOptions<TMessage> {
  /**
   * How many routees it starts with; within the resizer's bounds when there is one.
   * @defaultValue `resizer.min` (without a resizer, `size` is required)
   */
  size?: number | undefined;
  /**
   * The pool's name: its path is its parent's path and this name, its routees' paths that and
   * `routee-<n>`.
   * @defaultValue a generated `actor-<id>`
   */
  name?: string | undefined;
  /**
   * Spawn options of every routee: mailbox, message budget, supervision (restart type, decider,
   * retries, backoff), its own supervisor and snapshots. A `snapshot.key` is made each routee's own
   * by appending `/routee-<n>`.
   * @defaultValue the defaults of `spawn`
   */
  routee?: RouteeOptions | undefined;
  /**
   * How the pool supervises its routees: which restart with a failing one (`strategy`) and how many
   * restarts — replacements of routees that stopped included — it allows within `withinMs` before
   * it gives up and escalates to its own parent.
   * @defaultValue one-for-one, 10 restarts within 10 s
   */
  supervisor?: SupervisorOptions | undefined;
  /** Grows and shrinks the pool by how busy its routees are. @defaultValue none: the size changes only by `resize` */
  resizer?: ResizerOptions | undefined;
}

/** Pool options after validation and defaults. */
export interface ResolvedPoolOptions<TMessage> {
  readonly logic: RoutingLogic<TMessage>;
  readonly size: number;
  readonly name: string | undefined;
  readonly routee: RouteeOptions;
  readonly supervisor: SupervisorOptions | undefined;
  readonly resizer: ResolvedResizer | undefined;
}

/**
 * Validates pool options.
 * @throws InvalidOptionError naming the first bad option.
 */
export function resolvePoolOptions<TMessage>(options: PoolOptions<TMessage>): ResolvedPoolOptions<TMessage> {
  isObject('options', options);
  const logic = createRoutingLogic(options);
  const resizer = options.resizer === undefined ? undefined : resolveResizer(options.resizer);
  if (options.size === undefined && resizer === undefined) throw new InvalidOptionError('size', 'a positive integer', options.size);
  const size = checkPoolSize(options.size ?? resizer?.min, resizer);
  return { logic, size, name: options.name, routee: checkRouteeOptions(options.routee), supervisor: options.supervisor, resizer };
}

/**
 * Validates a pool size, within the resizer's bounds when there is one.
 * @throws InvalidOptionError naming `size`.
 */
export function checkPoolSize(size: unknown, resizer: ResolvedResizer | undefined): number {
  const checked = positiveInteger('size', size);
  if (resizer !== undefined && (checked < resizer.min || checked > resizer.max)) {
    throw new InvalidOptionError('size', `an integer from resizer.min (${resizer.min}) to resizer.max (${resizer.max})`, size);
  }
  return checked;
}

/** Routee options as `spawn` checks them, named under `routee`. */
function checkRouteeOptions(options: RouteeOptions | undefined): RouteeOptions {
  if (options === undefined) return {};
  isObject('routee', options);
  const name = (options as SpawnOptions).name;
  if (name !== undefined) throw new InvalidOptionError('routee.name', 'undefined: a pool names its routees routee-<n>', name);
  try {
    resolveSpawnOptions(options, 1);
  } catch (error) {
    throw error instanceof InvalidOptionError ? renamed(error, 'routee') : error;
  }
  return options;
}

/** `error` as it reads for an option nested under `prefix`: the same expectation, the same value. */
export function renamed(error: InvalidOptionError, prefix: string): InvalidOptionError {
  const head = `Expected \`${error.option}\` to be `;
  const tail = error.message.lastIndexOf(', got `');
  const expectation = error.message.startsWith(head) && tail > head.length ? error.message.slice(head.length, tail) : 'valid';
  return new InvalidOptionError(`${prefix}.${error.option}`, expectation, error.received, error.cause);
}
