/**
 * What a host service would notice after one of our runs ended: promise rejections nobody handled,
 * timers or immediates left behind, and file descriptors left open. A test starts a guard before
 * the run and reads it after.
 */
import { existsSync, readdirSync } from 'node:fs';
import { expect } from 'vitest';

/** The kinds of handle a run of ours may hold while it goes and must release when it ends. */
const OUR_HANDLES = new Set(['Timeout', 'Immediate']);

function handleCount(): number {
  return process.getActiveResourcesInfo().filter((name) => OUR_HANDLES.has(name)).length;
}

/** Lets pending callbacks run: Node reports unhandled rejections after the microtask queue drains. */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Open file descriptors of this process, where the system lists them (Linux); 0 elsewhere. */
function openFiles(): number {
  return existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : 0;
}

export interface HostGuard {
  /** Rejections that reached `unhandledRejection` since the guard started. */
  readonly unhandled: unknown[];
  /** Timers and immediates held now beyond those held when the guard started. */
  leftoverHandles(): number;
  /** File descriptors open now beyond those open when the guard started. */
  leftoverFiles(): number;
  /** Stops listening. */
  stop(): void;
}

export function guardHost(): HostGuard {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  const before = handleCount();
  const filesBefore = openFiles();
  return {
    unhandled,
    leftoverHandles: () => handleCount() - before,
    leftoverFiles: () => openFiles() - filesBefore,
    stop: () => void process.off('unhandledRejection', onUnhandled),
  };
}

/**
 * Runs `body`, then checks that it left the host as it found it: no rejection nobody handled, no
 * timer or immediate (after a macrotask, so that a late rejection is reported first).
 */
export async function leavesHostClean(body: () => Promise<void>): Promise<void> {
  const guard = guardHost();
  try {
    await body();
    await nextMacrotask();
    expect(guard.unhandled).toEqual([]);
    expect(guard.leftoverHandles(), 'timers and immediates left').toBeLessThanOrEqual(0);
  } finally {
    guard.stop();
  }
}
