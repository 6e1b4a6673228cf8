/**
 * Options of `spawn`, validated in one place so every way to spawn (system, context) rejects the
 * same bad input with the same message.
 */
import { InvalidOptionError } from '../errors.js';
import { isFunction, isObject, positiveInteger, withDefault } from '../internal/validate.js';
import { resolveMailboxOptions, type MailboxOptions } from '../mailbox/mailbox.js';
import { restartOnError, type Decider, type SupervisionOptions } from '../supervision/directive.js';

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
  /** What to do when its handler throws. */
  supervision?: SupervisionOptions | undefined;
}

/** Spawn options after validation and defaults. */
export interface ResolvedSpawnOptions {
  readonly name: string | undefined;
  readonly mailbox: MailboxOptions;
  readonly messageBudget: number;
  readonly decide: Decider;
}

const NAME_PATTERN = /^[A-Za-z0-9\-_.:@+]+$/;

/**
 * Validates spawn options against the system defaults.
 * @throws InvalidOptionError naming the first bad option.
 */
export function resolveSpawnOptions(options: SpawnOptions | undefined, defaultBudget: number): ResolvedSpawnOptions {
  if (options !== undefined) isObject('options', options);
  const name = options?.name;
  if (name !== undefined && (typeof name !== 'string' || !NAME_PATTERN.test(name))) {
    throw new InvalidOptionError('name', 'a non-empty string of letters, digits and -_.:@+', name);
  }
  if (options?.mailbox !== undefined) isObject('mailbox', options.mailbox);
  const mailbox = resolveMailboxOptions(options?.mailbox);
  const messageBudget = withDefault(options?.messageBudget, defaultBudget, (v) => positiveInteger('messageBudget', v));
  if (options?.supervision !== undefined) isObject('supervision', options.supervision);
  const decide = options?.supervision?.decide ?? restartOnError;
  isFunction('supervision.decide', decide);
  return { name, mailbox, messageBudget, decide };
}
