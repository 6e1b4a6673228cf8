import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { MemorySnapshotStore } from '../../src/state/memory-store.js';
import { describeSnapshotStoreContract } from './snapshot-store.spec.js';

describe('MemorySnapshotStore', () => {
  describeSnapshotStoreContract(async (options) => ({
    store: new MemorySnapshotStore(options),
    dispose: async () => {},
  }));

  describe('constructor', () => {
    it.each([0, -1, 1.5, Number.NaN, '10'])('throws InvalidOptionError naming `chunkSize` for %s', (chunkSize) => {
      const create = (): unknown => new MemorySnapshotStore({ chunkSize: chunkSize as number });
      expect(create).toThrow(InvalidOptionError);
      expect(create).toThrow('`chunkSize`');
    });

    it('takes no options', async () => {
      const store = new MemorySnapshotStore();
      await store.save('k', { sequence: 1, meta: 'm' });
      expect((await store.load('k')).snapshot?.meta).toBe('m');
    });
  });

  describe('load', () => {
    it('hands back the saved values themselves, not copies, frozen at the top', async () => {
      const store = new MemorySnapshotStore();
      const meta = { total: 1 };
      const value = { count: 2 };
      await store.save('k', { sequence: 1, meta, entries: [['a', value]] });
      const { snapshot } = await store.load('k');
      expect(snapshot?.meta).toBe(meta);
      expect(snapshot?.entries[0]?.[1]).toBe(value);
      expect(Object.isFrozen(snapshot)).toBe(true);
      expect(Object.isFrozen(snapshot?.entries)).toBe(true);
    });
  });
});
