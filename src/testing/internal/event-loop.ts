/**
 * The two ways the kit's step engines let the event loop move between steps: `settled` runs every
 * promise callback queued so far (cheap), `macrotask` also lets I/O and immediates run (taken only
 * when nothing else can run).
 */

/** Resolves after a full event-loop turn: I/O callbacks and immediates queued before it have run. */
export const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Resolves once every promise callback queued so far has run, and every one they queued in turn:
 * Node runs the next-tick queue only when the microtask queue is empty. Cheaper than a macrotask,
 * which also polls for I/O; the engines take one of those only when nothing else can run.
 */
export const settled = (): Promise<void> => new Promise(onNextTick);

const onNextTick = (resolve: () => void): void => process.nextTick(resolve);
