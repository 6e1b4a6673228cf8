/**
 * The text and money in generated events. Strings are slices of two fixed pseudo-random pools,
 * built once, so a string costs one or two draws and a copy rather than a draw per character:
 * the benchmark should measure the engine, not string building.
 */
import { SeededRandom } from './seeded-random.js';

/** The reference's six states: three of them (OR, ID, CA) are the ones query 3 looks for. */
export const US_STATES: readonly string[] = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
export const US_CITIES: readonly string[] = ['Phoenix', 'Tucson', 'Sacramento', 'Fresno', 'Boise', 'Nampa', 'Portland', 'Eugene', 'Spokane', 'Laramie'];
export const FIRST_NAMES: readonly string[] = ['Ada', 'Boris', 'Chen', 'Dana', 'Emil', 'Farah', 'Gus', 'Hana', 'Ivo', 'Jun', 'Kira'];
export const LAST_NAMES: readonly string[] = ['Abbott', 'Brandt', 'Castro', 'Dietz', 'Eklund', 'Fuchs', 'Garber', 'Holm', 'Iqbal'];

const POOL_LENGTH = 4096;

/** Builds `length` characters: lowercase letters, and with `spaced`, a space about one time in 13. */
function pool(length: number, seed: number, spaced: boolean): string {
  const random = new SeededRandom(seed);
  let text = '';
  for (let i = 0; i < length; i++) text += spaced && random.int(13) === 0 ? ' ' : String.fromCharCode(97 + random.int(26));
  return text;
}

const LETTERS = pool(POOL_LENGTH, 0x1e77e5, false);
const WORDS = pool(POOL_LENGTH, 0x3030d5, true);

/** Letters only (e-mail addresses, padding), `min` to `max` long (max ≤ 4096). */
export function letters(random: SeededRandom, min: number, max: number): string {
  return sliceOf(LETTERS, random, min + random.int(max - min + 1));
}

/** Words and spaces (item names, descriptions), `min` to `max` long (max ≤ 4096). */
export function words(random: SeededRandom, min: number, max: number): string {
  return sliceOf(WORDS, random, min + random.int(max - min + 1));
}

/** A pool long enough for padding of up to `length` characters. */
export function paddingPool(length: number): string {
  const longest = length + Math.round(length * 0.2);
  return longest <= POOL_LENGTH ? LETTERS : pool(2 * longest, 0x7ad, false);
}

/** Padding of about `mean` characters (±20%, as the reference varies it), from `source`. */
export function padding(random: SeededRandom, source: string, mean: number): string {
  const delta = Math.round(mean * 0.2);
  return sliceOf(source, random, mean - delta + random.int(2 * delta + 1));
}

function sliceOf(source: string, random: SeededRandom, length: number): string {
  const start = random.int(source.length - length + 1);
  return source.slice(start, start + length);
}

/**
 * A price in cents: 10^(6u) dollars for uniform u, rounded to the cent, so from $1 to $1,000,000
 * with every order of magnitude equally likely, as the reference draws them.
 */
export function price(random: SeededRandom): number {
  return Math.round(Math.pow(10, random.next() * 6) * 100);
}

/** A credit card number: four groups of four digits. */
export function creditCard(random: SeededRandom): string {
  return `${digits4(random)} ${digits4(random)} ${digits4(random)} ${digits4(random)}`;
}

function digits4(random: SeededRandom): string {
  return String(random.int(10000)).padStart(4, '0');
}
