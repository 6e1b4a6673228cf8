/** Waits, turn by turn of the event loop, until `condition` holds (no timers: nothing to tune). */
export async function until(condition: () => boolean, turns = 1_000_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (condition()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error('condition never held');
}
