/**
 * The argument checks every event journal makes, so each refuses the same bad input with the
 * same message.
 */
import { InvalidOptionError } from '../../errors.js';
import { isWellFormed } from '../../state/snapshot-checks.js';

/**
 * Throws unless `persistenceId` is a non-empty string without NUL (which no storage keeps as text)
 * and without lone surrogates (which UTF-8 turns into U+FFFD, so two ids would share a folder or
 * a snapshot key).
 * @throws InvalidOptionError naming `persistenceId`.
 */
export function checkPersistenceId(persistenceId: unknown): asserts persistenceId is string {
  if (typeof persistenceId !== 'string' || persistenceId.length === 0 || persistenceId.includes('\0') || !isWellFormed(persistenceId)) {
    throw new InvalidOptionError('persistenceId', 'a non-empty string of well-formed UTF-16 without NUL', persistenceId);
  }
}

/**
 * Throws unless `from` is a sequence number a read can start at: from `first` (the oldest kept)
 * to `last + 1` (nothing to read).
 * @throws InvalidOptionError naming `from`.
 */
export function checkFrom(from: unknown, first: number, last: number): void {
  if (typeof from !== 'number' || !Number.isInteger(from) || from < first || from > last + 1) {
    throw new InvalidOptionError('from', `a sequence number from ${first} to ${last + 1}`, from);
  }
}
