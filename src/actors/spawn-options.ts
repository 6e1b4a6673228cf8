/**
 * Options of `spawn`, validated in one place so every way to spawn (system, context) rejects the
 * same bad input with the same message.
 */
import { InvalidOptionError } from '../errors.js';
import { boolean, isObject, nonNegativeNumberOrInfinity, positiveInteger, withDefault } from '../internal/validate.js';
import { resolveMailboxOptions, type MailboxOptions, type ResolvedMailboxOptions } from '../mailbox/mailbox.js';
import { resolveSnapshotOptions, type ResolvedSnapshotOptions, type SnapshotOptions } from '../state/snapshot-options.js';
import { resolveSupervisor, type ResolvedSupervisor, type SupervisorOptions } from '../supervision/strategy.js';
import { resolveSupervision, type ResolvedSupervision, type SupervisionOptions } from '../supervision/supervision.js';
import { resolveStashOptions, type ResolvedStashOptions, type StashOptions } from './stash.js';

/** Options of `system.spawn` and `ctx.spawn`. */
export interface SpawnOptions {
  /**
   * The actor's name, unique among its siblings; letters, digits and `-_.:@+` only.
   * @defaultValue a generated `actor-<id>`
   */
  name?: string | undefined;
  /** Its mailbox's capacity and overflow policy. */
  mailbox?: MailboxOptions | undefined;
  /**
   * How many messages the actor may handle in one dispatcher slice before others get a turn.
   * @defaultValue the system's `dispatcher.messageBudget`
   */
  messageBudget?: number | undefined;
  /** How this actor is supervised: what its failures lead to. */
  supervision?: SupervisionOptions | undefined;
  /** How this actor supervises its own children: strategy and restart intensity. */
  supervisor?: SupervisorOptions | undefined;
  /** When it snapshots its state, and where the snapshots are kept. */
  snapshot?: SnapshotOptions | undefined;
  /**
   * Whether exits of linked actors arrive as `Exit` messages (true) instead of stopping this
   * actor when they failed (false); `ctx.trapExits(on)` changes it later. The definition's message
   * type must include `Exit`.
   * @defaultValue the definition's `trapExits`, else false
   */
  trapExits?: boolean | undefined;
  /**
   * How long a stop of this actor may take, in milliseconds, before it is forced: the message or
   * lifecycle step in progress is abandoned (an `ask` for it rejects with `ActorStoppedError`), and
   * so are draining, the final snapshot and `stopping`; its children are forced too. `0` forces
   * every stop at once; `Infinity` waits for ever.
   * @defaultValue Infinity
   */
  shutdownMs?: number | undefined;
  /** How many messages its stash (`ctx.stash`) holds. */
  stash?: StashOptions | undefined;
}

/**
 * Spawn options after validation and defaults, all but the name: a spawn passes the name on beside
 * them, so spawns that give a name and nothing else (one actor per entity) share the defaults.
 */
export interface ResolvedSpawnOptions {
  readonly mailbox: ResolvedMailboxOptions;
  readonly messageBudget: number;
  readonly supervision: ResolvedSupervision;
  readonly supervisor: ResolvedSupervisor;
  readonly snapshot: ResolvedSnapshotOptions;
  /** Undefined: as the definition says. */
  readonly trapExits: boolean | undefined;
  readonly shutdownMs: number;
  readonly stash: ResolvedStashOptions;
}

const NAME_PATTERN = /^[A-Za-z0-9\-_.:@+]+$/;

/** `base` with every field `over` gives (not undefined) in its place. */
function overriding<T extends object>(base: T | undefined, over: T | undefined): T | undefined {
  if (base === undefined || over === undefined) return over ?? base;
  const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [field, value] of Object.entries(over)) if (value !== undefined) merged[field] = value;
  return merged as T;
}

/**
 * What a spawn without options (or with only a `name`) of a definition without `supervisor`
 * resolves to, by message budget. The resolved options are immutable data, so every such spawn
 * shares this object, and a spawn that gives some options shares its parts for the others. A
 * definition's `supervisor` is the user's object, which may change between spawns: it is resolved
 * afresh each time.
 */
const defaultsByBudget = new Map<number, ResolvedSpawnOptions>();

function defaultsFor(budget: number): ResolvedSpawnOptions {
  let resolved = defaultsByBudget.get(budget);
  if (resolved === undefined) {
    resolved = resolveGiven(undefined, budget, undefined, undefined);
    defaultsByBudget.set(budget, resolved);
  }
  return resolved;
}

/**
 * Validates spawn options, the name included, against the system defaults and the definition's
 * `supervisor`; the name is not part of what it returns (see {@link ResolvedSpawnOptions}).
 * @throws InvalidOptionError naming the first bad option.
 */
export function resolveSpawnOptions(options: SpawnOptions | undefined, defaultBudget: number, definitionSupervisor?: SupervisorOptions): ResolvedSpawnOptions {
  const defaults = defaultsFor(defaultBudget);
  if (options !== undefined) {
    isObject('options', options);
    checkName(options.name);
  }
  if (definitionSupervisor === undefined && (options === undefined || onlyNamed(options))) return defaults;
  return resolveGiven(options, defaultBudget, definitionSupervisor, defaults);
}

function checkName(name: unknown): void {
  if (name !== undefined && (typeof name !== 'string' || !NAME_PATTERN.test(name))) {
    throw new InvalidOptionError('name', 'a non-empty string of letters, digits and -_.:@+', name);
  }
}

/** Whether `options` gives nothing but (perhaps) a name: every option present now or added later counts. */
function onlyNamed(options: SpawnOptions): boolean {
  for (const field in options) if (field !== 'name' && options[field as keyof SpawnOptions] !== undefined) return false;
  return true;
}

/** Resolves `options`, taking each part that is not given from `defaults` when there are some. */
function resolveGiven(
  options: SpawnOptions | undefined,
  defaultBudget: number,
  definitionSupervisor: SupervisorOptions | undefined,
  defaults: ResolvedSpawnOptions | undefined,
): ResolvedSpawnOptions {
  if (options?.mailbox !== undefined) isObject('mailbox', options.mailbox);
  const mailbox = defaults !== undefined && options?.mailbox === undefined ? defaults.mailbox : resolveMailboxOptions(options?.mailbox);
  const messageBudget = withDefault(options?.messageBudget, defaultBudget, (v) => positiveInteger('messageBudget', v));
  if (options?.supervisor !== undefined) isObject('supervisor', options.supervisor);
  if (options?.stash !== undefined) isObject('stash', options.stash);
  const supervisorGiven = definitionSupervisor !== undefined || options?.supervisor !== undefined;
  return {
    mailbox,
    messageBudget,
    supervision: defaults !== undefined && options?.supervision === undefined ? defaults.supervision : resolveSupervision(options?.supervision),
    supervisor:
      defaults !== undefined && !supervisorGiven ? defaults.supervisor : resolveSupervisor(overriding(definitionSupervisor, options?.supervisor), 'supervisor'),
    snapshot: defaults !== undefined && options?.snapshot === undefined ? defaults.snapshot : resolveSnapshotOptions(options?.snapshot),
    trapExits: withDefault(options?.trapExits, undefined, (v) => boolean('trapExits', v)),
    shutdownMs: withDefault(options?.shutdownMs, Infinity, (v) => nonNegativeNumberOrInfinity('shutdownMs', v)),
    stash:
      defaults !== undefined && options?.stash === undefined && mailbox === defaults.mailbox
        ? defaults.stash
        : resolveStashOptions(options?.stash, mailbox.capacity),
  };
}
