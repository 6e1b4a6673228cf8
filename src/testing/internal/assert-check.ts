/**
 * What `assertPipeline` and `assertActor` share: run a check's property with fast-check and turn a
 * failure into one readable error — what differed and what happened, the case shrunk to a minimum
 * (the check's own `minimize`, after fast-check's shrinking) and read back in words, and the line
 * that replays it. A failure the check did not report itself (the property threw something else)
 * is passed on with the case fast-check shrank.
 */
import fc from 'fast-check';

/** The parts of a check that asserting it needs. */
export interface AssertableCheck<TCase> {
  readonly property: fc.IAsyncPropertyWithHooks<[TCase]>;
  check(testCase: TCase): Promise<void>;
  minimize(testCase: TCase): Promise<{ readonly testCase: TCase; readonly attempts: number; readonly minimal: boolean }>;
}

/** An error a check reports a failing case with. */
export interface CaseFailure extends Error {
  readonly testCase: unknown;
  readonly events: readonly string[];
}

/** How one kind of check words and builds its failures. */
export interface FailureWording<TCase, TError extends CaseFailure> {
  /** The function the replay line calls, e.g. `assertPipeline`. */
  readonly assert: string;
  /** What a case is made of, for "without any one of its …", e.g. `records, faults or schedule items`. */
  readonly parts: string;
  /** Whether an error is one the check reports a failing case with. */
  readonly reported: (error: unknown) => error is TError;
  /** The error to throw: its message, the case (undefined when fast-check gave none), what happened, and the cause. */
  readonly error: (message: string, testCase: unknown, events: readonly string[], cause: unknown) => TError;
  /** The case in words. */
  readonly describe: (testCase: TCase) => string;
}

/** Runs `check` with fast-check and rejects with one readable error for its shrunk counterexample. */
export async function assertCheck<TCase, TError extends CaseFailure>(
  check: AssertableCheck<TCase>,
  parameters: fc.Parameters<[TCase]>,
  wording: FailureWording<TCase, TError>,
): Promise<void> {
  const details = await fc.check(check.property, parameters);
  if (!details.failed) return;
  const replay = `replay: await ${wording.assert}(check, { seed: ${details.seed}, path: ${JSON.stringify(details.counterexamplePath)}, endOnFailure: true })`;
  const error = details.errorInstance;
  const testCase = details.counterexample?.[0];
  const tried = `after ${details.numRuns} run${details.numRuns === 1 ? '' : 's'} and ${details.numShrinks} shrink${details.numShrinks === 1 ? '' : 's'}`;
  if (wording.reported(error) && testCase !== undefined) {
    const { testCase: smallest, attempts, minimal } = await check.minimize(testCase);
    const failure = await check.check(smallest).then(
      () => error,
      (again: unknown) => (wording.reported(again) ? again : error),
    );
    const shrunk = minimal
      ? `shrunk to a minimum in ${attempts} more run${attempts === 1 ? '' : 's'}: without any one of its ${wording.parts} the case passes`
      : `shrunk further for ${attempts} runs, and stopped there`;
    throw wording.error(`${failure.message}\n${tried}; ${shrunk}\n${replay}`, failure.testCase, failure.events, error);
  }
  const shown = testCase === undefined ? '' : `\n${wording.describe(testCase)}`;
  throw wording.error(`the check failed: ${String(error)}${shown}\n${tried}\n${replay}`, testCase, [], error);
}

/** Whether `check` rejects `candidate` with a reported failure: the test `minimize` keeps a candidate by. */
export async function failsAlike<TCase>(check: (testCase: TCase) => Promise<void>, candidate: TCase, reported: (error: unknown) => boolean): Promise<boolean> {
  try {
    await check(candidate);
    return false;
  } catch (error) {
    return reported(error);
  }
}
