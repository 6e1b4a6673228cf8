/**
 * Names that become parts of NATS subjects and JetStream bucket and stream names: a job id, a
 * worker id, a stream or bucket name given by the user. They are checked before any of them is
 * used, so a dot, a wildcard or a space can never widen a subscription or land in another job's
 * bucket.
 */
import { InvalidOptionError } from '../errors.js';

/** Letters, digits, `_` and `-`: safe as a subject token, a stream name and a bucket name alike. */
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Returns `value`, or throws unless it is 1 to 64 letters, digits, `_` or `-`.
 * @throws InvalidOptionError naming `option`.
 * @example
 * ```ts
 * natsName('--job', 'orders-2026'); // 'orders-2026'
 * natsName('--job', 'a.b');         // throws: a dot would split the subject
 * ```
 */
export function natsName(option: string, value: unknown): string {
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new InvalidOptionError(option, '1 to 64 letters, digits, `_` or `-` (it becomes part of NATS subject and bucket names)', value);
  }
  return value;
}

/** Subject tokens may hold anything but `.`, `*`, `>` and white space; this checks a whole subject. */
const SUBJECT = /^[^\s.*>]+(\.[^\s.*>]+)*$/;

/**
 * Returns `value`, or throws unless it is a subject to publish on: dot-separated tokens without
 * wildcards or white space.
 * @throws InvalidOptionError naming `option`.
 */
export function publishSubject(option: string, value: unknown): string {
  if (typeof value !== 'string' || !SUBJECT.test(value)) {
    throw new InvalidOptionError(option, 'a NATS subject without wildcards or white space, e.g. `orders.created`', value);
  }
  return value;
}

/** A subject to filter on: tokens as above, or `*` for any one token, or `>` as the last for the rest. */
const FILTER = /^([^\s.*>]+|\*)(\.([^\s.*>]+|\*))*(\.>)?$|^>$/;

/**
 * Returns `value`, or throws unless it is a subject to filter on: like {@link publishSubject}, but
 * a token may be `*` (any one token) and the last may be `>` (any rest).
 * @throws InvalidOptionError naming `option`.
 * @example
 * ```ts
 * filterSubject('subject', 'orders.*.created'); // 'orders.*.created'
 * filterSubject('subject', 'orders.>');         // 'orders.>'
 * ```
 */
export function filterSubject(option: string, value: unknown): string {
  if (typeof value !== 'string' || !FILTER.test(value)) {
    throw new InvalidOptionError(option, 'a NATS subject, with `*` for one token and a last `>` for the rest, e.g. `orders.>`', value);
  }
  return value;
}
