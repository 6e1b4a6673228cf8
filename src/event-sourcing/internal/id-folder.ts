/**
 * The folder name of a persistence id in a file event journal: one name per id and one id per
 * name, whatever the id holds (slashes, dots, any Unicode), and never longer than a file system
 * takes. Letters, digits, `-` and `_` stay as they are; every other UTF-8 byte becomes `%XX` (so
 * `.` and `..` cannot come out); an encoding past 200 bytes keeps its first 100 and adds the
 * SHA-256 of the whole id after a `~`, which the short form never holds.
 */
import { createHash } from 'node:crypto';

const MAX_NAME = 200;
const KEPT_PREFIX = 100;

/**
 * The folder name of `persistenceId`.
 *
 * @example
 * ```ts
 * idFolder('/user/account-7'); // '%2Fuser%2Faccount-7'
 * ```
 */
export function idFolder(persistenceId: string): string {
  let name = '';
  for (const byte of Buffer.from(persistenceId, 'utf8')) {
    const plain = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x2d || byte === 0x5f;
    name += plain ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (name.length <= MAX_NAME) return name;
  return `${name.slice(0, KEPT_PREFIX)}~${createHash('sha256').update(persistenceId, 'utf8').digest('hex')}`;
}
