/**
 * Child specifications: a supervisor's children as data — what to start, under which id, when to
 * restart it, and how long its stop may take — checked once, when the supervisor is defined, so a
 * bad spec fails before anything runs.
 */
import type { ActorDefinition } from '../actors/behavior.js';
import { validateDefinition } from '../actors/behavior.js';
import { resolveSpawnOptions, type SpawnOptions } from '../actors/spawn-options.js';
import { InvalidOptionError } from '../errors.js';
import { isObject, nonNegativeNumberOrInfinity, oneOf, withDefault } from '../internal/validate.js';
import { RESTART_TYPES, type RestartType } from './restart-type.js';
import type { SupervisionOptions } from './supervision.js';

/**
 * An actor definition of any state and message types, as a child spec holds it: whatever
 * `defineActor` (or `defineSupervisor`) returned fits.
 */
export interface AnyActorDefinition {
  initialState(): unknown;
  receive(state: never, message: never, ctx: never): unknown;
}

/** What a child spec starts: a definition, and the options to spawn it with. */
export interface ChildStart {
  readonly definition: AnyActorDefinition;
  /**
   * Spawn options, except those the spec sets itself: `name` (the spec's `id`),
   * `supervision.restart` (its `restart`) and `shutdownMs` (its `shutdownMs`).
   * @defaultValue `{}`
   */
  readonly options?: ChildSpawnOptions | undefined;
}

/** Spawn options of a child spec: all but those the spec sets itself. */
export interface ChildSpawnOptions extends Omit<SpawnOptions, 'name' | 'shutdownMs' | 'supervision'> {
  /** How the child is supervised, except its restart type (the spec's `restart`). */
  supervision?: Omit<SupervisionOptions, 'restart'> | undefined;
}

/**
 * One child of a supervisor, as data.
 *
 * @example
 * ```ts
 * const spec: ChildSpec = { id: 'cache', start: { definition: cache, options: { mailbox: { capacity: 64 } } }, restart: 'transient', shutdownMs: 1000 };
 * ```
 */
export interface ChildSpec {
  /** Names the child among its siblings, and is its name (`<supervisor path>/<id>`): letters, digits and `-_.:@+`. */
  readonly id: string;
  readonly start: ChildStart;
  /**
   * Which of its own exits it comes back from (see `RestartType`).
   * @defaultValue 'permanent', as in OTP: a supervisor's children are usually meant to run for as long as it does
   */
  readonly restart?: RestartType | undefined;
  /**
   * How long its stop may take before it is forced, in milliseconds (`0`: at once; `Infinity`:
   * wait for ever).
   * @defaultValue 5000, or `Infinity` when the definition supervises children of its own (its `supervisor` is set)
   */
  readonly shutdownMs?: number | undefined;
}

/** A child spec after validation and defaults, with the options its child is spawned with. */
export interface ResolvedChildSpec {
  readonly id: string;
  readonly restart: RestartType;
  readonly shutdownMs: number;
  readonly definition: ActorDefinition<unknown, unknown>;
  readonly options: SpawnOptions;
}

/** Default `shutdownMs` of a child that supervises none: OTP's for workers. */
const WORKER_SHUTDOWN_MS = 5000;

/**
 * Validates a supervisor's child specs, naming each problem under `children[i]`.
 * @throws InvalidOptionError for a spec that is not an object, an id that is not a valid name or
 *   is used twice, a definition or spawn option that is invalid (the error names it, e.g.
 *   `children[1].start.options.mailbox.capacity`), or a spawn option the spec sets itself.
 */
export function resolveChildSpecs(children: unknown): ResolvedChildSpec[] {
  if (!Array.isArray(children)) throw new InvalidOptionError('children', 'an array of child specs', children);
  const ids = new Set<string>();
  return children.map((spec: unknown, index) => {
    const resolved = resolveChildSpec(spec, `children[${index}]`);
    if (ids.has(resolved.id)) throw new InvalidOptionError(`children[${index}].id`, 'an id no other child spec holds', resolved.id);
    ids.add(resolved.id);
    return resolved;
  });
}

function resolveChildSpec(spec: unknown, prefix: string): ResolvedChildSpec {
  isObject(prefix, spec);
  const { id, start, restart: restartOption, shutdownMs: shutdownOption } = spec as Partial<ChildSpec>;
  if (typeof id !== 'string') throw new InvalidOptionError(`${prefix}.id`, 'a string', id);
  // Spawn's own rule for names, so an id is refused here exactly when spawn would refuse it.
  renaming(
    () => resolveSpawnOptions({ name: id }, 1),
    () => `${prefix}.id`,
  );
  isObject(`${prefix}.start`, start);
  const { definition, options = {} } = start as ChildStart;
  if (typeof definition !== 'object' || definition === null) throw new InvalidOptionError(`${prefix}.start.definition`, 'an actor definition', definition);
  renaming(
    () => validateDefinition(definition),
    (option) => `${prefix}.start.definition.${option}`,
  );
  isObject(`${prefix}.start.options`, options);
  if (options.supervision !== undefined) isObject(`${prefix}.start.options.supervision`, options.supervision);
  for (const [field, value] of [
    ['name', (options as SpawnOptions).name],
    ['shutdownMs', (options as SpawnOptions).shutdownMs],
    ['supervision.restart', (options.supervision as SupervisionOptions | undefined)?.restart],
  ] as const) {
    if (value !== undefined) throw new InvalidOptionError(`${prefix}.start.options.${field}`, 'absent: the child spec sets it', value);
  }
  const restart = withDefault<RestartType>(restartOption, 'permanent', (v) => oneOf(`${prefix}.restart`, v, RESTART_TYPES));
  const supervises = (definition as ActorDefinition<unknown, unknown>).supervisor !== undefined;
  const shutdownMs = withDefault(shutdownOption, supervises ? Infinity : WORKER_SHUTDOWN_MS, (v) => nonNegativeNumberOrInfinity(`${prefix}.shutdownMs`, v));
  const spawnOptions: SpawnOptions = { ...options, name: id as string, shutdownMs, supervision: { ...options.supervision, restart } };
  renaming(
    () => resolveSpawnOptions(spawnOptions, 1),
    (option) => `${prefix}.start.options.${option}`,
  );
  return { id: id as string, restart, shutdownMs, definition: definition as ActorDefinition<unknown, unknown>, options: spawnOptions };
}

/** Runs `check`; an `InvalidOptionError` it throws is thrown again under the name `rename` gives its option. */
function renaming(check: () => unknown, rename: (option: string) => string): void {
  try {
    check();
  } catch (error) {
    if (!(error instanceof InvalidOptionError)) throw error;
    throw new InvalidOptionError(rename(error.option), error.expectation, error.received, error.cause);
  }
}
