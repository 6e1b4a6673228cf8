/**
 * Options of `spawnEntities`, validated before anything is spawned, each bad one named as the
 * caller wrote it (`idleMs`, `snapshot.store`, `entity.mailbox.capacity`).
 */
import { InvalidOptionError } from '../../errors.js';
import { isObject, positiveInteger, positiveNumberOrInfinity } from '../../internal/validate.js';
import { DEFAULT_MAILBOX_CAPACITY } from '../../mailbox/mailbox.js';
import { resolveSnapshotOptions, type SnapshotOptions } from '../../state/snapshot-options.js';
import type { SnapshotStore } from '../../state/snapshot-store.js';
import type { SupervisorOptions } from '../../supervision/strategy.js';
import { renamed } from '../routing/pool-options.js';
import { resolveSpawnOptions, type SpawnOptions } from '../spawn-options.js';

/** How each entity is spawned: every spawn option but its name (its id) and its snapshots (`snapshot`). */
export type EntityOptions = Omit<SpawnOptions, 'name' | 'snapshot'>;

/** Where and how often entities snapshot their state: a store is required, since passivation saves to it. */
export interface EntitySnapshotOptions extends SnapshotOptions {
  /** Where each entity's state is saved when it is passivated, and restored from when it comes back. */
  store: SnapshotStore;
}

/** Options of `spawnEntities`. */
export interface EntitiesOptions {
  /**
   * The name of the actor the entities are children of: an entity's path is its parent's path, this
   * name and the entity's id (escaped: see `Entities.ref`).
   * @defaultValue a generated `actor-<id>`
   */
  name?: string | undefined;
  /**
   * How long an entity may go without a message sent through the entities before it is passivated,
   * in milliseconds of the system clock; `Infinity` passivates only to honour `maxActive`.
   */
  idleMs: number;
  /**
   * At most this many entities are live at once: activating one more first passivates the least
   * recently used.
   * @defaultValue Infinity
   */
  maxActive?: number | undefined;
  /**
   * Every entity's snapshot options. `store` is required; a `key` is made each entity's own by
   * appending `/<escaped id>` (without it, an entity's key is its path, the same at every activation).
   */
  snapshot: EntitySnapshotOptions;
  /**
   * Spawn options of every entity: mailbox, message budget, supervision, its own supervisor. Its
   * restart type cannot be `'permanent'`: a permanent actor restarts when it is asked to stop.
   * @defaultValue the defaults of `spawn`
   */
  entity?: EntityOptions | undefined;
  /**
   * How the actor above the entities supervises them (strategy and restart intensity).
   * @defaultValue one-for-one, 10 restarts within 10 s
   */
  supervisor?: SupervisorOptions | undefined;
}

/** Entities options after validation and defaults. */
export interface ResolvedEntitiesOptions {
  readonly name: string | undefined;
  readonly idleMs: number;
  readonly maxActive: number;
  readonly snapshot: EntitySnapshotOptions;
  readonly entity: EntityOptions;
  readonly supervisor: SupervisorOptions | undefined;
  /** How many messages wait for an entity being passivated: its mailbox's capacity. */
  readonly capacity: number;
}

/**
 * Validates entities options.
 * @throws InvalidOptionError naming the first bad option.
 */
export function resolveEntitiesOptions(options: EntitiesOptions): ResolvedEntitiesOptions {
  isObject('options', options);
  const idleMs = positiveNumberOrInfinity('idleMs', options.idleMs);
  const maxActive = options.maxActive === undefined || options.maxActive === Infinity ? Infinity : positiveInteger('maxActive', options.maxActive);
  const snapshot = resolveSnapshotOptions(options.snapshot);
  if (snapshot.store === undefined) throw new InvalidOptionError('snapshot.store', 'a snapshot store: a passivated entity is saved to it', undefined);
  const entity = options.entity ?? {};
  isObject('entity', entity);
  for (const field of ['name', 'snapshot'] as const) {
    const value = (entity as SpawnOptions)[field];
    if (value !== undefined)
      throw new InvalidOptionError(
        `entity.${field}`,
        `undefined: ${field === 'name' ? 'an entity is named by its id' : 'entities take the top-level snapshot option'}`,
        value,
      );
  }
  let capacity = DEFAULT_MAILBOX_CAPACITY;
  try {
    capacity = resolveSpawnOptions(entity, 1).mailbox.capacity;
  } catch (error) {
    throw error instanceof InvalidOptionError ? renamed(error, 'entity') : error;
  }
  if (entity.supervision?.restart === 'permanent') {
    throw new InvalidOptionError(
      'entity.supervision.restart',
      "'transient' or 'temporary': a permanent entity restarts instead of being passivated",
      'permanent',
    );
  }
  return { name: options.name, idleMs, maxActive, snapshot: options.snapshot, entity, supervisor: options.supervisor, capacity };
}
