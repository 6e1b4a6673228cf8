import { describe, expect, it } from 'vitest';
import { DriverWake } from '../../../src/streams/job/driver-wake.js';
import type { RunCheckpoints } from '../../../src/streams/checkpoint/run-checkpoints.js';

/** Whether `promise` has settled, after the promise callbacks queued so far ran. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await new Promise<void>((resolve) => setImmediate(resolve));
  return settled;
}

describe('DriverWake', () => {
  describe('waitForWake', () => {
    it('hands out one promise to every wait until a wake settles it, and never that one again', async () => {
      const wake = new DriverWake(() => false, undefined);
      const first = wake.waitForWake();
      expect(wake.waitForWake()).toBe(first);
      expect(await isSettled(first)).toBe(false);
      wake.wake();
      expect(await isSettled(first)).toBe(true);
      const next = wake.waitForWake();
      expect(next).not.toBe(first);
      expect(await isSettled(next)).toBe(false);
    });

    it('resolves at once when the driver must not wait (a stop was asked for)', async () => {
      let quiet = false;
      const wake = new DriverWake(() => quiet, undefined);
      const pending = wake.waitForWake();
      quiet = true;
      expect(await isSettled(wake.waitForWake())).toBe(true);
      expect(await isSettled(pending)).toBe(false);
    });

    it('settles when a checkpoint is wanted, subscribing to the wanted promise once', async () => {
      let subscriptions = 0;
      let want!: () => void;
      const wanted = new Promise<void>((resolve) => (want = resolve));
      const counted = { then: (...args: Parameters<Promise<void>['then']>) => (subscriptions++, wanted.then(...args)) } as unknown as Promise<void>;
      const checkpoints = { wanted: () => counted } as unknown as RunCheckpoints;
      const wake = new DriverWake(() => false, checkpoints);
      const waiting = wake.waitForWake();
      for (let i = 0; i < 5; i++) expect(wake.waitForWake()).toBe(waiting);
      expect(subscriptions).toBe(1);
      want();
      expect(await isSettled(waiting)).toBe(true);
    });
  });
});
