/**
 * Creating an actor system. Its options and the `ActorSystem` interface are in `actor-system.ts`;
 * the implementation in `internal/local-actor-system.ts`.
 */
import type { ActorSystem, SystemOptions } from './actor-system.js';
import type { TurnPicker, TurnScheduler } from './internal/dispatcher.js';
import { LocalActorSystem } from './internal/local-actor-system.js';

/**
 * Creates an actor system.
 *
 * @throws InvalidOptionError naming the first invalid option.
 * @example
 * ```ts
 * const controller = new AbortController();
 * const system = createSystem({ name: 'bank', signal: controller.signal });
 * ```
 */
export function createSystem(options?: SystemOptions): ActorSystem {
  return new LocalActorSystem(options);
}

/**
 * A system whose dispatcher turns are scheduled by `schedule` instead of `setImmediate`: for the
 * testing kit, which runs turns itself — and, with `pick`, one slice per turn of the ready actor
 * `pick` chooses. Not part of the public entry.
 */
export function createSystemWithScheduler(options: SystemOptions | undefined, schedule: TurnScheduler, pick?: TurnPicker): ActorSystem {
  return new LocalActorSystem(options, schedule, pick);
}
