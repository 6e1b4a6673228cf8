/** What the tests of buggy pipelines and buggy actors share: a check that must fail, and be shrunk to a minimum. */
import { expect } from 'vitest';

/**
 * Awaits `assertion` (`assertPipeline` or `assertActor`), which must reject with an `errorClass`
 * whose case was shrunk to a minimum — no single one of its `parts` could go — and returns it.
 */
export async function shrunkFailure<TError extends Error>(
  assertion: Promise<void>,
  errorClass: abstract new (...args: never[]) => TError,
  parts: string,
): Promise<TError> {
  const error = await assertion.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error, 'the kit found no counterexample').toBeInstanceOf(errorClass);
  const failure = error as TError;
  expect(failure.message).toMatch(new RegExp(`shrunk to a minimum in \\d+ more runs?: without any one of its ${parts} the case passes`));
  return failure;
}
