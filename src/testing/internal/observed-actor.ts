/**
 * The actor under test as an actor check runs it. The check's messages arrive wrapped in a
 * `CaseLetter` that says which message of the case each is — a new object for every one, so a
 * poison fault recognises the message it poisoned, and no other equal to it — and reach the
 * handler unwrapped; anything else (what the actor tells itself, a watch notification) reaches it
 * as it came. Faults strike between the two layers; outside them, the state the actor holds is
 * followed for the final comparison (the result of the last handler call that succeeded, or the
 * initial state), and so are the messages the handler ran to its end once, and the handler calls
 * still in progress. The query goes around the faults: it observes, it is not under test.
 *
 * Poison strikes only a case's message, taken for the first time: a deterministic handler that
 * fails on a message every time fails on it the first time, and the model knows nothing of the
 * messages an actor tells itself, so it could not do without one.
 */
import type { ActorDefinition } from '../../actors/behavior.js';
import type { ActorContext } from '../../actors/context.js';
import { injectFaults, type ActorFault } from '../actor-faults.js';

/** A message of the case (or the query) on its way to the actor. */
export class CaseLetter<TMessage> {
  constructor(
    /** Its index among the case's messages; -1 for the query. */
    readonly index: number,
    readonly message: TMessage,
  ) {}
}

/** The actor as the check spawns it, and what the check follows of it. */
export interface ObservedActor<TState, TMessage> {
  readonly definition: ActorDefinition<TState, TMessage | CaseLetter<TMessage>>;
  /** The state it holds now. */
  state(): TState;
  /** Indexes of the case messages its handler ran to the end of at least once (its ask answered then, if it answers). */
  readonly handled: ReadonlySet<number>;
  /** Handler calls whose promise has not settled yet. */
  inProgress(): number;
}

/** `definition` with case letters unwrapped, `faults` injected and its state followed. */
export function observeActor<TState, TMessage>(
  definition: ActorDefinition<TState, TMessage>,
  faults: readonly ActorFault[],
  onStrike: (fault: ActorFault, message: TMessage | CaseLetter<TMessage>) => void,
): ObservedActor<TState, TMessage> {
  const taken = new Set<CaseLetter<TMessage>>();
  const handled = new Set<number>();
  let inProgress = 0;
  const ran = (message: unknown): void => {
    if (message instanceof CaseLetter) handled.add((message as CaseLetter<TMessage>).index);
  };
  // The handler's own sends to itself carry its message type, never a letter: the context it is
  // given is the wrapped actor's, which accepts both.
  const unwrapped: ActorDefinition<TState, TMessage | CaseLetter<TMessage>> = {
    ...(definition as unknown as ActorDefinition<TState, TMessage | CaseLetter<TMessage>>),
    receive(state, message, ctx) {
      const plain = message instanceof CaseLetter ? (message as CaseLetter<TMessage>).message : (message as TMessage);
      const next = definition.receive.call(definition, state, plain, ctx as ActorContext<unknown> as ActorContext<TMessage>);
      if (!(next instanceof Promise)) ran(message);
      return next instanceof Promise ? next.then((result) => (ran(message), result)) : next;
    },
  };
  const faulted = injectFaults(unwrapped, faults, {
    onStrike,
    poisonable: (message) => message instanceof CaseLetter && (message as CaseLetter<TMessage>).index !== -1 && !taken.has(message as CaseLetter<TMessage>),
  });
  let current: TState | undefined;
  const hold = (state: TState): TState => (current = state);
  return {
    definition: {
      ...faulted,
      initialState: () => hold(definition.initialState.call(definition)),
      receive(state, message, ctx) {
        const letter = message instanceof CaseLetter ? (message as CaseLetter<TMessage>) : undefined;
        let next: TState | Promise<TState>;
        try {
          next = (letter?.index === -1 ? unwrapped : faulted).receive(state, message, ctx);
        } finally {
          if (letter !== undefined) taken.add(letter);
        }
        if (!(next instanceof Promise)) return hold(next);
        inProgress++;
        return next.then(hold).finally(() => inProgress--);
      },
    },
    state: () => current as TState,
    handled,
    inProgress: () => inProgress,
  };
}
