/**
 * The TestKit: an actor system on virtual time whose dispatcher turns run only when the test says
 * so — each of them one slice of one actor: the next in queue order, or the one `picks` chooses —
 * with probes that record what they receive and logs of every event and dead letter. A test sends,
 * calls `settle()`, and asserts — deterministic, and no test ever waits on the wall clock.
 */
import { defineActor } from '../actors/behavior.js';
import type { ActorRef } from '../actors/actor-ref.js';
import type { SystemEvent } from '../actors/events.js';
import type { ActorSystem, SystemOptions } from '../actors/actor-system.js';
import { createSystemWithScheduler } from '../actors/system.js';
import { InvalidOptionError } from '../errors.js';
import { mulberry32 } from '../internal/mulberry32.js';
import { positiveInteger, withDefault } from '../internal/validate.js';
import type { DeadLetter } from '../mailbox/dead-letters.js';
import { ManualScheduler } from './manual-scheduler.js';
import { VirtualClock } from './virtual-clock.js';

/** Options of {@link createTestKit}: the system's options, minus what the kit provides itself. */
export interface TestKitOptions extends Omit<SystemOptions, 'clock' | 'random' | 'signal'> {
  /**
   * Seed of the system's random numbers (restart backoff jitter), so a run repeats exactly.
   * @defaultValue 1
   */
  seed?: number | undefined;
  /**
   * How many turns one `settle()` runs before it decides the actors will never be idle (a message
   * loop) and rejects. A turn is one slice of one actor, at most its `messageBudget` messages, so
   * the default stops a loop after 100,000 messages between actors that answer each other, or 25.6
   * million for one that keeps telling itself at the default budget of 256 — in about a second
   * either way, well within a test runner's time-out. Raise it for a test that means to keep its
   * actors this busy. @defaultValue 100000
   */
  maxTurns?: number | undefined;
  /**
   * Which ready actor each turn runs, to test interleavings: the one these values (used in turn,
   * then again from the start) index among the ready ones in queue order, modulo their number.
   * Give it from `fc.array(fc.nat())` and fast-check searches, and shrinks, the interleavings.
   * @defaultValue none: the first ready actor, so actors take turns in queue order
   */
  picks?: readonly number[] | undefined;
}

/** An actor that keeps what it receives, for assertions. */
export interface TestProbe<TMessage> {
  readonly ref: ActorRef<TMessage>;
  /** Everything received so far, oldest first. */
  readonly received: readonly TMessage[];
  /**
   * Settles the system, then returns the oldest message not yet taken by `expectMessage`.
   * @throws Error when there is none.
   */
  expectMessage(): Promise<TMessage>;
  /** Settles the system and throws if a message arrived that `expectMessage` has not taken. */
  expectNoMessage(): Promise<void>;
}

/** A test's actor system with its controls. */
export interface TestKit {
  readonly system: ActorSystem;
  readonly clock: VirtualClock;
  /** Every system event so far. */
  readonly events: readonly SystemEvent[];
  /** Every dead letter so far. */
  readonly deadLetters: readonly DeadLetter[];
  /**
   * Runs dispatcher turns, and lets promise callbacks run between them, until no actor has anything
   * left to do at the current virtual time.
   * @throws Error (rejects) when the actors are still busy after `maxTurns` turns (a message loop),
   * naming the busy actors and the option.
   */
  settle(): Promise<void>;
  /** Moves virtual time forward, settling after every timer that falls due on the way. */
  advance(ms: number): Promise<void>;
  /** A probe actor, spawned at `/user/<name>`. */
  probe<TMessage>(name: string): TestProbe<TMessage>;
  /** Shuts the system down, settling as it goes. */
  shutdown(): Promise<void>;
}

/** Why `settle()` gave up, with the actors that still have messages: the likely loop. */
function loopMessage(system: ActorSystem, maxTurns: number): string {
  const busy = system.metrics().actors.filter((actor) => actor.depth > 0);
  const shown = busy.slice(0, 5).map((actor) => `${actor.path} (${actor.depth} queued, ${actor.processed} processed)`);
  const more = busy.length > shown.length ? ` and ${busy.length - shown.length} more` : '';
  return (
    `TestKit: actors still busy after ${maxTurns} turns (maxTurns), a message loop?` +
    (shown.length === 0 ? '' : ` Busy: ${shown.join(', ')}${more}.`) +
    ` If they are meant to be this busy, raise the limit: createTestKit({ maxTurns: ${maxTurns * 10} }).`
  );
}

/**
 * Creates a TestKit.
 *
 * @example
 * ```ts
 * const kit = createTestKit();
 * const ref = kit.system.spawn(counter);
 * ref.tell({ type: 'inc' });
 * await kit.settle();
 * ```
 */
export function createTestKit(options: TestKitOptions = {}): TestKit {
  const { seed: seedOption, maxTurns: maxTurnsOption, picks, ...systemOptions } = options;
  const seed = withDefault(seedOption, 1, (v) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new InvalidOptionError('seed', 'an integer', v);
    return v;
  });
  const maxTurns = withDefault(maxTurnsOption, 100_000, (v) => positiveInteger('maxTurns', v));
  if (picks !== undefined && (!Array.isArray(picks) || !picks.every((p) => Number.isInteger(p) && p >= 0))) {
    throw new InvalidOptionError('picks', 'an array of non-negative integers', picks);
  }
  const clock = new VirtualClock();
  const scheduler = new ManualScheduler();
  let turn = 0;
  // Always a picker, so every turn is one slice of one actor: a turn of the dispatcher's own would
  // run every ready actor until its 5 ms budget is spent — tens of thousands of messages, as many
  // as the machine's speed allows — and `maxTurns` of them would take minutes to end a loop.
  const pick = picks === undefined || picks.length === 0 ? () => 0 : (ready: number) => (picks[turn++ % picks.length] as number) % ready;
  const system = createSystemWithScheduler({ ...systemOptions, clock, random: mulberry32(seed) }, scheduler.schedule, pick);
  const events: SystemEvent[] = [];
  const deadLetters: DeadLetter[] = [];
  system.events.subscribe((event) => events.push(event));
  system.deadLetters.subscribe((letter) => deadLetters.push(letter));

  const settle = async (): Promise<void> => {
    let turns = 0;
    for (;;) {
      // Let promise callbacks (async handlers, sends that waited for room) run before looking.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (scheduler.pending === 0) return;
      // A turn that leaves work schedules the next one at once: count every turn run.
      while (scheduler.pending > 0) {
        if (turns++ >= maxTurns) throw new Error(loopMessage(system, maxTurns));
        scheduler.runNext();
      }
    }
  };

  return {
    system,
    clock,
    events,
    deadLetters,
    settle,
    async advance(ms) {
      await settle();
      await clock.advance(ms, settle);
      await settle();
    },
    probe<TMessage>(name: string): TestProbe<TMessage> {
      const received: TMessage[] = [];
      let taken = 0;
      const ref = system.spawn(
        defineActor<null, TMessage>({
          initialState: () => null,
          receive(state, message) {
            received.push(message);
            return state;
          },
        }),
        { name, mailbox: { capacity: 1_000_000 } },
      );
      return {
        ref,
        received,
        async expectMessage() {
          await settle();
          if (taken >= received.length) throw new Error(`TestKit: expected ${ref.path} to have received a message, it has none`);
          return received[taken++] as TMessage;
        },
        async expectNoMessage() {
          await settle();
          if (taken < received.length) {
            throw new Error(`TestKit: expected no message at ${ref.path}, got ${JSON.stringify(received[taken])}`);
          }
        },
      };
    },
    async shutdown() {
      const done = system.shutdown({ drain: false });
      while (system.status === 'stopping') await settle();
      await done;
    },
  };
}
