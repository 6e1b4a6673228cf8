/**
 * The verdict on a run of an actor check: the model, given the messages in the order they were
 * sent (a poisoned one leaving its state as it was), against what the actor did — dead letters
 * beyond the poisoned messages, each ask's outcome, the query's answer and the final state, in
 * that order. The first difference is said in words, with what was expected and what came.
 */
import type { ActorCase } from '../actor-case.js';
import { describeCaseMessage } from '../actor-case.js';
import type { ActorModel } from '../check-actor.js';
import type { ActorRunReport, CaseDeadLetter } from './actor-case-runner.js';
import type { AskOutcome } from './case-sender.js';
import { canonical, show } from './compare.js';

/** What an ask should end with: an answer (undefined: none), or a rejection. */
type Expected = { readonly kind: 'answered'; readonly value: unknown } | { readonly kind: 'rejected' };

const SHOWN = 6;

function outcomeText(outcome: AskOutcome | undefined): string {
  if (outcome === undefined || (outcome.kind === 'answered' && outcome.value === undefined)) return 'no answer';
  return outcome.kind === 'answered'
    ? show(outcome.value)
    : `rejected (${outcome.error instanceof Error ? `${outcome.error.name}: ${outcome.error.message}` : String(outcome.error)})`;
}

function expectedText(expected: Expected): string {
  return expected.kind === 'rejected' ? 'rejected (the message is poison)' : outcomeText(expected);
}

/** Whether an ask ended as expected: an answer of `undefined` and no answer at all are the same. */
function meets(actual: AskOutcome | undefined, expected: Expected): boolean {
  if (expected.kind === 'rejected') return actual?.kind === 'rejected';
  if (actual?.kind === 'rejected') return false;
  return canonical(actual?.value) === canonical(expected.value);
}

function describeDeadLetter({ letter, index }: CaseDeadLetter): string {
  const what = index === undefined ? show(letter.message) : `#${index + 1} ${show(letter.message)}`;
  return `${letter.reason}: ${what}${letter.error === undefined ? '' : ` (${String(letter.error)})`}`;
}

/**
 * What the model expects of a run: the model given the messages in the order they were sent, a
 * poisoned one leaving its state as it was; each ask's outcome, the query's, and the final state.
 */
function expectationsOf<TMessage, TModelState>(
  model: ActorModel<TModelState, TMessage>,
  testCase: ActorCase<TMessage>,
  report: ActorRunReport,
  query: { readonly message: TMessage } | undefined,
): { asks: Map<number, Expected>; query: Expected | undefined; state: TModelState } {
  let state = model.initialState();
  const asks = new Map<number, Expected>();
  for (const index of report.arrivals) {
    const { message, via } = testCase.messages[index] as ActorCase<TMessage>['messages'][number];
    const poisoned = report.poisoned.has(index);
    const step = model.receive(state, message);
    if (!poisoned) state = step.state;
    // A poisoned message whose handler ran to its end (a fault struck after it) was answered then,
    // if the model answers it; otherwise its ask is rejected.
    const answered = !poisoned || (report.handled.has(index) && step.reply !== undefined);
    if (via === 'ask') asks.set(index, answered ? { kind: 'answered', value: step.reply } : { kind: 'rejected' });
  }
  const expectedQuery: Expected | undefined = query === undefined ? undefined : { kind: 'answered', value: model.receive(state, query.message).reply };
  return { asks, query: expectedQuery, state };
}

/** What a verdict is given. */
export interface VerdictSetup<TMessage, TModelState> {
  readonly model: ActorModel<TModelState, TMessage>;
  readonly testCase: ActorCase<TMessage>;
  readonly report: ActorRunReport;
  readonly query: { readonly message: TMessage } | undefined;
  /** Whether the final states are compared (the report's `state` is then the actor's, in the model's terms). */
  readonly compareState: boolean;
  readonly allowDeadLetters: boolean;
}

/** The first way the run differs from the model, in words; undefined when it does not. */
export function differences<TMessage, TModelState>(setup: VerdictSetup<TMessage, TModelState>): string | undefined {
  const { testCase, report, query } = setup;
  const unexpected = report.deadLetters.filter(({ letter, index }) => letter.reason !== 'poison' || index === undefined || !report.poisoned.has(index));
  if (!setup.allowDeadLetters && unexpected.length > 0) {
    const shown = unexpected.slice(0, 4).map(describeDeadLetter).join('; ');
    return `the actor dead-lettered ${unexpected.length} message${unexpected.length === 1 ? '' : 's'}: ${shown}`;
  }
  const expected = expectationsOf(setup.model, testCase, report, query);
  const wrong = [...expected.asks].filter(([index, outcome]) => !meets(report.answers.get(index), outcome));
  const [first] = wrong;
  if (first !== undefined) {
    const [index, outcome] = first;
    const sent = testCase.messages[index] as ActorCase<TMessage>['messages'][number];
    const others = wrong.slice(1, SHOWN).map(([i, o]) => `  #${i + 1}: expected ${expectedText(o)}, actual ${outcomeText(report.answers.get(i))}`);
    const more = wrong.length > SHOWN ? [`  … ${wrong.length - SHOWN} more`] : [];
    return [
      `the answer to #${index + 1} (${describeCaseMessage(sent)}) differs from the model's`,
      `  expected ${expectedText(outcome)}`,
      `  actual   ${outcomeText(report.answers.get(index))}`,
      ...(others.length === 0 ? [] : ['  other asks that differ:', ...others, ...more]),
    ].join('\n');
  }
  if (query !== undefined && expected.query !== undefined && !meets(report.query, expected.query)) {
    return [
      `the answer to the query ${show(query.message)} differs from the model's`,
      `  expected ${expectedText(expected.query)}`,
      `  actual   ${outcomeText(report.query)}`,
    ].join('\n');
  }
  if (setup.compareState && canonical(report.state) !== canonical(expected.state)) {
    return [`the actor's final state differs from the model's`, `  expected ${show(expected.state)}`, `  actual   ${show(report.state)}`].join('\n');
  }
  return undefined;
}
