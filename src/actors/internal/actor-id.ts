/**
 * Actor ids and generated names. An id is 21 random characters of the URL-safe alphabet, as nanoid
 * makes them, but built in one step: nanoid appends one character at a time, which leaves each id a
 * chain of some twenty string pieces (about 330 bytes) until something flattens it. A generated
 * name is `actor-` and a new id, built as one flat string too (48 bytes), from which the id is cut
 * when asked for: an actor spawned without a name keeps one string, not an id and a name joined
 * onto it, and keeps it only once somebody asked for its name (see the cell's `name`).
 */
import { webcrypto } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const LENGTH = 21;
/** What a generated name starts with, before the id. */
const PREFIX = 'actor-';
/** Random bytes for 128 ids at a time: one call into the system's generator, not one per id. */
const pool = new Uint8Array(LENGTH * 128);
let used = pool.length;
const idCodes = new Array<number>(LENGTH);
const nameCodes = Array.from({ length: PREFIX.length + LENGTH }, (_, i) => (i < PREFIX.length ? PREFIX.charCodeAt(i) : 0));

/** Writes `LENGTH` random characters into `codes` from index `from` on. */
function fillRandom(codes: number[], from: number): void {
  if (used + LENGTH > pool.length) {
    webcrypto.getRandomValues(pool);
    used = 0;
  }
  for (let i = 0; i < LENGTH; i++) codes[from + i] = ALPHABET.charCodeAt((pool[used++] as number) & 63);
}

/** A new id; 126 random bits, so two actors never share one in practice. */
export function newActorId(): string {
  fillRandom(idCodes, 0);
  return String.fromCharCode(...idCodes);
}

/**
 * A new generated name, `actor-<id>` with a new id. It needs no check against its siblings' names:
 * another name equal to it would have to hold the same 126 random bits.
 */
export function newActorName(): string {
  fillRandom(nameCodes, PREFIX.length);
  return String.fromCharCode(...nameCodes);
}

/** The id inside a name {@link newActorName} made. */
export function idOfGeneratedName(name: string): string {
  return name.slice(PREFIX.length);
}
