/**
 * Actor ids: 21 random characters of the URL-safe alphabet, as nanoid makes them, but built in one
 * step. nanoid appends one character at a time, which leaves each id a chain of some twenty string
 * pieces (about 330 bytes) until something flattens it; an actor keeps its id for life, so one
 * flat string (about 48 bytes) matters when there are a million of them.
 */
import { webcrypto } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const LENGTH = 21;
/** Random bytes for 128 ids at a time: one call into the system's generator, not one per id. */
const pool = new Uint8Array(LENGTH * 128);
let used = pool.length;
const codes = new Array<number>(LENGTH);

/** A new id; 126 random bits, so two actors never share one in practice. */
export function newActorId(): string {
  if (used + LENGTH > pool.length) {
    webcrypto.getRandomValues(pool);
    used = 0;
  }
  for (let i = 0; i < LENGTH; i++) codes[i] = ALPHABET.charCodeAt((pool[used++] as number) & 63);
  return String.fromCharCode(...codes);
}
