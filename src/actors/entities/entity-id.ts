/**
 * Entity ids as actor names: any non-empty string is an id, and each maps to one name that the
 * name rules accept. The mapping is injective (two ids never share an actor, a path or a snapshot
 * key) and readable for the common ids: letters, digits and `-_.:@` are kept as they are; every
 * other UTF-8 byte, `+` included, is written `+HH` in upper-case hex.
 */
import { InvalidOptionError } from '../../errors.js';

const KEPT = /^[A-Za-z0-9\-_.:@]$/;
/** A surrogate not paired with another: no UTF-8 for it, so no name either. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const encoder = new TextEncoder();

/**
 * The actor name of entity `id`.
 * @throws InvalidOptionError naming `id` unless it is a non-empty, well-formed string.
 * @example
 * ```ts
 * entityName('order-17'); // 'order-17'
 * entityName('a/b c');    // 'a+2Fb+20c'
 * ```
 */
export function entityName(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0 || LONE_SURROGATE.test(id)) throw new InvalidOptionError('id', 'a non-empty, well-formed string', id);
  let name = '';
  for (const char of id) {
    if (KEPT.test(char)) {
      name += char;
      continue;
    }
    for (const byte of encoder.encode(char)) name += `+${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return name;
}
