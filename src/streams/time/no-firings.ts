/**
 * What a window engine's `advance` returns when nothing is due: the usual answer when it is asked
 * before every record, so it is one shared array, never written to, and allocates nothing.
 */
export const NO_FIRINGS: readonly never[] = Object.freeze([]);
