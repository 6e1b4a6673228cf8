/**
 * The handler for an outcome that is deliberately dropped: a promise observed so that its
 * rejection is never reported as unhandled, when somebody else already deals with the failure (or
 * nothing is left to deal with it).
 */
export function ignore(): void {}
