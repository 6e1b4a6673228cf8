/**
 * A run's options, checked and with their defaults: what `run()` throws `InvalidOptionError` for
 * is decided here, before anything starts.
 */
import type { ActorSystem, DispatcherOptions, SystemOptions } from '../../actors/actor-system.js';
import { createSystem } from '../../actors/system.js';
import type { Clock } from '../../clock.js';
import { InvalidOptionError } from '../../errors.js';
import { boolean, isFunction, isObject, nonNegativeIntegerOrInfinity, nonNegativeNumber, positiveInteger, withDefault } from '../../internal/validate.js';
import { checkCheckpointOptions, type CheckedCheckpointOptions } from '../checkpoint/checkpoint-options.js';
import type { RunOptions } from '../run-options.js';
import { validateChaos, type ChaosOptions, type CrashPlan } from '../run/chaos.js';
import type { PipelineDeadLetter } from '../run/messages.js';
import type { Sink } from '../sinks/sink.js';

/** Records per batch when `run()` is not told. */
export const DEFAULT_BATCH_SIZE = 1024;

/**
 * The batch size a run uses by default: {@link DEFAULT_BATCH_SIZE}, or under injected crashes one
 * small enough that a batch gets through with even odds. A restarted partition processes its whole
 * batch again, and each of its records may crash again, so a batch of n records at crash rate p
 * gets through with probability (1 − p)ⁿ ≈ e^(−pn): with n ≤ 0.5 / p, most replays succeed.
 */
export function defaultBatchSize(chaos: ChaosOptions | undefined): number {
  if (chaos === undefined || chaos.crashRate === 0) return DEFAULT_BATCH_SIZE;
  return Math.max(1, Math.min(DEFAULT_BATCH_SIZE, Math.floor(0.5 / chaos.crashRate)));
}

/** `RunOptions` after validation, with every default filled in. */
export interface RunSettings {
  readonly name: string;
  readonly signal: AbortSignal | undefined;
  readonly batchSize: number;
  readonly lingerMs: number;
  readonly mailboxBatches: number;
  readonly retries: number;
  readonly maxRestarts: number;
  readonly deadLetters: Sink<PipelineDeadLetter> | undefined;
  readonly chaos: ChaosOptions | undefined;
  readonly crashAt: CrashPlan | undefined;
  readonly checkpoint: CheckedCheckpointOptions | undefined;
  readonly allowDroppedState: boolean;
  readonly finishUpgraded: boolean;
  /** Threads the job runs on (1: this one alone). */
  readonly workers: number;
  /** The actor system's dispatcher options, for the systems of worker threads too. */
  readonly dispatcher: DispatcherOptions | undefined;
  /** Makes the run's own actor system (a job that gives up stops only that, never the host's). */
  makeSystem(): ActorSystem;
}

const NAME = /^[A-Za-z0-9\-_.:@+]+$/;

/**
 * Checks `options` and fills in the defaults.
 * @throws InvalidOptionError naming the first invalid option.
 */
export function resolveRunSettings(options: RunOptions): RunSettings {
  isObject('options', options);
  const name = options.name ?? 'pipeline';
  if (typeof name !== 'string' || !NAME.test(name)) throw new InvalidOptionError('name', 'letters, digits and -_.:@+', name);
  const chaos = validateChaos(options.chaos);
  // Checked in this order, so the first invalid option named is the same as it always was.
  const batchSize = withDefault(options.batchSize, defaultBatchSize(chaos), (v) => positiveInteger('batchSize', v));
  const lingerMs = withDefault(options.lingerMs, 5, (v) => nonNegativeNumber('lingerMs', v));
  const mailboxBatches = withDefault(options.mailboxBatches, 4, (v) => positiveInteger('mailboxBatches', v));
  const retries = withDefault(options.retries, 2, (v) => nonNegativeIntegerOrInfinity('retries', v));
  const maxRestarts = withDefault(options.maxRestarts, 1000, (v) => nonNegativeIntegerOrInfinity('maxRestarts', v));
  if (options.crashAt !== undefined) isFunction('crashAt', options.crashAt);
  if (options.system !== undefined) isFunction('system', options.system);
  const checkpoint = checkCheckpointOptions(options.checkpoint);
  const allowDroppedState = withDefault(options.allowDroppedState, false, (v) => boolean('allowDroppedState', v));
  const finishUpgraded = withDefault(options.finishUpgraded, false, (v) => boolean('finishUpgraded', v));
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new InvalidOptionError('signal', 'an AbortSignal', options.signal);
  const systemOptions = systemOptionsOf(name, options.clock, options.dispatcher);
  const make = options.system ?? createSystem;
  return {
    name,
    signal: options.signal,
    batchSize,
    lingerMs,
    mailboxBatches,
    retries,
    maxRestarts,
    deadLetters: options.deadLetters,
    chaos,
    crashAt: options.crashAt,
    checkpoint,
    allowDroppedState,
    finishUpgraded,
    workers: 1,
    dispatcher: options.dispatcher,
    makeSystem: () => make(systemOptions),
  };
}

function systemOptionsOf(name: string, clock: Clock | undefined, dispatcher: DispatcherOptions | undefined): SystemOptions {
  return { name, ...(clock === undefined ? {} : { clock }), ...(dispatcher === undefined ? {} : { dispatcher }) };
}
