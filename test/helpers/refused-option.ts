/** What a refusal names: the tests that check which option a run or a handle refused. */
import { InvalidOptionError } from '../../src/index.js';

/** The option the InvalidOptionError `promise` rejects with names, or what else it settled with. */
export async function refusedOption(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    return error instanceof InvalidOptionError ? error.option : String(error);
  }
}
