/**
 * Stopping a parent's children as OTP's supervisors do: one at a time, last started first, each
 * once the one started after it has stopped. A callback carries the turn from one child to the
 * next, not an `await` each: a system with a million children stops a million of them, and a
 * promise and an await per child would double what their stops allocate.
 */
import type { StopReason } from '../terminated.js';
import type { ChildCell, StopMode } from './system-services.js';

/** Stops `children` (in start order) last first, one at a time; resolves once every one has stopped. */
export function stopInTurn(children: readonly ChildCell[], mode: StopMode, reason: StopReason): Promise<void> {
  return new Promise<void>((allStopped) => {
    let next = children.length;
    const stopNext = (): void => {
      // A loop, not a call per child: a child that has stopped already says so instead of calling back.
      while (next > 0) if (!(children[--next] as ChildCell).stopThen(mode, reason, stopNext)) return;
      allStopped();
    };
    stopNext();
  });
}
