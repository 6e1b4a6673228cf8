/**
 * How one actor is supervised, set where it is spawned (supervision decorates a behaviour): the
 * decider, the restart type, how often one message may fail before it counts as poison, and the
 * backoff between restarts.
 */
import { isFunction, isObject, oneOf, positiveInteger, withDefault } from '../internal/validate.js';
import { resolveBackoff, type BackoffOptions, type ResolvedBackoff } from './backoff.js';
import { restartOnError, type Decider } from './directive.js';
import { RESTART_TYPES, type RestartType } from './restart-type.js';

/** Supervision options of one actor (`spawn(definition, { supervision })`). */
export interface SupervisionOptions {
  /**
   * Chooses the directive for each error. A decider that throws, or answers something that is not
   * a directive, stops the actor as `'stop'` would, and is reported as a `hook-failed` event.
   * @defaultValue `() => 'restart'`
   */
  decide?: Decider | undefined;
  /**
   * Which of its own exits the actor comes back from; see {@link RestartType}.
   * @defaultValue 'transient'
   */
  restart?: RestartType | undefined;
  /**
   * How many times in a row one message may fail (each time restarting the actor) before it is a
   * poison message: dead-lettered with its error while the actor goes on with the next one.
   * @defaultValue 3
   */
  maxRetries?: number | undefined;
  /**
   * Delay restarts exponentially with jitter; without it an actor restarts at once.
   * @defaultValue undefined (no delay)
   */
  backoff?: BackoffOptions | undefined;
}

/** Validated supervision options. */
export interface ResolvedSupervision {
  readonly decide: Decider;
  readonly restart: RestartType;
  readonly maxRetries: number;
  readonly backoff: ResolvedBackoff | undefined;
}

/** Validates supervision options, naming them as `supervision.<field>`. */
export function resolveSupervision(options: SupervisionOptions | undefined): ResolvedSupervision {
  if (options !== undefined) isObject('supervision', options);
  const decide = options?.decide ?? restartOnError;
  isFunction('supervision.decide', decide);
  const restart = withDefault<RestartType>(options?.restart, 'transient', (v) => oneOf('supervision.restart', v, RESTART_TYPES));
  const maxRetries = withDefault(options?.maxRetries, 3, (v) => positiveInteger('supervision.maxRetries', v));
  let backoff: ResolvedBackoff | undefined;
  if (options?.backoff !== undefined) {
    isObject('supervision.backoff', options.backoff);
    backoff = resolveBackoff(options.backoff, 'supervision.backoff');
  }
  return { decide, restart, maxRetries, backoff };
}
