/** Helpers shared by the mailbox tests. */

/** Runs `action` and returns what it threw; fails the test when it throws nothing. */
export function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, but nothing was thrown');
}
