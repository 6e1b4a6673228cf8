/**
 * Option validation shared by every constructor: each check throws `InvalidOptionError` naming the
 * option as the caller wrote it, so a bad configuration fails before anything runs.
 */
import { InvalidOptionError } from '../errors.js';

/** Returns `value`, or throws unless it is an integer ≥ 1. */
export function positiveInteger(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidOptionError(option, 'a positive integer', value);
  }
  return value;
}

/** Returns `value`, or throws unless it is an integer ≥ 0. */
export function nonNegativeInteger(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InvalidOptionError(option, 'an integer ≥ 0', value);
  }
  return value;
}

/** Returns `value`, or throws unless it is an integer ≥ 0 or `Infinity`. */
export function nonNegativeIntegerOrInfinity(option: string, value: unknown): number {
  if (typeof value !== 'number' || !(Number.isInteger(value) || value === Infinity) || value < 0) {
    throw new InvalidOptionError(option, 'an integer ≥ 0 (or Infinity)', value);
  }
  return value;
}

/** Returns `value`, or throws unless it is a finite number > 0. */
export function positiveNumber(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(option, 'a positive number', value);
  }
  return value;
}

/** Returns `value`, or throws unless it is a finite number ≥ 0. */
export function nonNegativeNumber(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionError(option, 'a finite number ≥ 0', value);
  }
  return value;
}

/** Returns `value`, or throws unless it is a number ≥ 0 (`Infinity` allowed, meaning no limit). */
export function nonNegativeNumberOrInfinity(option: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new InvalidOptionError(option, 'a number ≥ 0 (or Infinity)', value);
  }
  return value;
}

/** Returns `value`, or throws unless it is a number > 0 (`Infinity` allowed, meaning no limit). */
export function positiveNumberOrInfinity(option: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new InvalidOptionError(option, 'a number > 0 (or Infinity)', value);
  }
  return value;
}

/** Returns `value`, or throws unless it is one of `allowed`. */
export function oneOf<const T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidOptionError(option, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

/** Returns `value` when it is a boolean; throws otherwise. */
export function boolean(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidOptionError(option, 'true or false', value);
  return value;
}

/** Throws unless `value` is a function. */
export function isFunction(option: string, value: unknown): void {
  if (typeof value !== 'function') throw new InvalidOptionError(option, 'a function', value);
}

/** Throws unless `value` is a plain object (or undefined when `optional`). */
export function isObject(option: string, value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(option, 'an object', value);
  }
}

/** The name of option `field` under `prefix` (`mailbox` and `capacity` make `mailbox.capacity`); `''` is no prefix. */
export function optionName(prefix: string, field: string): string {
  return prefix === '' ? field : `${prefix}.${field}`;
}

/** Returns the value of an optional option after `check`, or `fallback` when it is undefined. */
export function withDefault<T>(value: unknown, fallback: T, check: (value: unknown) => T): T {
  return value === undefined ? fallback : check(value);
}
