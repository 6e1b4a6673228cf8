import { fc, it as fcIt } from '@fast-check/vitest';
import type { FileHandle } from 'node:fs/promises';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { FileSnapshotStore, type FileSnapshotStoreOptions } from '../../src/state/file-store.js';
import type { SnapshotEntry } from '../../src/state/snapshot-store.js';
import { describeSnapshotStoreContract, ODD_KEYS, rejectionOf } from './snapshot-store.spec.js';

// Every file system call the store makes passes through here, so a test can record their order
// or make one of them fail. Outside such a test it is a plain pass-through.
const io = vi.hoisted(() => ({ log: [] as string[], failAt: undefined as string | undefined }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const label = (path: unknown): string => {
    const name = basename(String(path));
    if (name.endsWith('.tmp')) return 'temp';
    const snapshot = /^(\d+)\.snap$/.exec(name);
    return snapshot === null ? 'folder' : `snapshot ${Number(snapshot[1])}`;
  };
  const step = (name: string): void => {
    io.log.push(name);
    if (io.failAt === name) throw Object.assign(new Error(`injected failure: ${name}`), { code: 'EIO' });
  };
  const wrap = (handle: FileHandle, path: unknown): FileHandle =>
    new Proxy(handle, {
      get(target, property) {
        if (property === 'sync') {
          return async () => {
            step(`sync ${label(path)}`);
            return target.sync();
          };
        }
        if (property === 'writev') {
          return async (...args: Parameters<FileHandle['writev']>) => {
            step(`write ${label(path)}`);
            return target.writev(...args);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  return {
    ...actual,
    open: async (...args: Parameters<typeof actual.open>) => {
      step(`open ${label(args[0])}`);
      return wrap(await actual.open(...args), args[0]);
    },
    rename: async (...args: Parameters<typeof actual.rename>) => {
      step(`rename ${label(args[0])} to ${label(args[1])}`);
      return actual.rename(...args);
    },
    rm: async (...args: Parameters<typeof actual.rm>) => {
      step(`rm ${label(args[0])}`);
      return actual.rm(...args);
    },
  };
});

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-'));
  io.log.length = 0;
  io.failAt = undefined;
});

afterEach(async () => {
  io.failAt = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** A store on this test's folder. */
function storeOf(options: Omit<FileSnapshotStoreOptions, 'dir'> = {}): FileSnapshotStore {
  return new FileSnapshotStore({ dir, ...options });
}

function pathOf(store: FileSnapshotStore, key: string, sequence: number): string {
  return join(store.folderOf(key), `${String(sequence).padStart(16, '0')}.snap`);
}

async function namesIn(folder: string): Promise<string[]> {
  return (await readdir(folder)).sort();
}

/** A small snapshot with a few chunks, so every part of the format is in a few hundred bytes. */
function small(sequence: number): { sequence: number; meta: unknown; entries: SnapshotEntry[] } {
  return {
    sequence,
    meta: { at: sequence, tags: new Set(['t']) },
    entries: [
      ['a', sequence],
      ['b', { n: [1] }],
      [3, null],
    ],
  };
}

/**
 * Saves `small(1)` and `small(2)` (or only `small(2)` without `withOlder`), then returns the
 * store, the bytes of snapshot 2 and its path.
 */
async function twoSnapshots(withOlder: boolean): Promise<{ store: FileSnapshotStore; bytes: Buffer; path: string }> {
  const store = storeOf({ chunkSize: 2 });
  if (withOlder) await store.save('k', small(1));
  await store.save('k', small(2));
  const path = pathOf(store, 'k', 2);
  return { store, bytes: await readFile(path), path };
}

function flipped(bytes: Buffer, offset: number, mask = 0xff): Buffer {
  const copy = Buffer.from(bytes);
  copy[offset] = (copy[offset] ?? 0) ^ mask;
  return copy;
}

/** The reason the store gives for a single flipped byte at `offset`. */
function reasonForFlipAt(offset: number): RegExp {
  if (offset < 4) return /^bad magic$/;
  if (offset < 8) return /^unsupported format version \d+$/;
  if (offset < 16) return /^truncated: \d+ of \d+ bytes$|^\d+ bytes where the preamble declares \d+$/;
  return /^checksum mismatch$/;
}

describe('FileSnapshotStore', () => {
  describeSnapshotStoreContract(async (options) => {
    const own = await mkdtemp(join(tmpdir(), 'sluice-'));
    return {
      store: new FileSnapshotStore({ dir: own, ...options }),
      dispose: () => rm(own, { recursive: true, force: true }),
    };
  });

  describe('constructor', () => {
    it.each([
      ['dir', { dir: '' }],
      ['dir', { dir: 3 }],
      ['dir', {}],
      ['dir', { dir: 'a\0b' }],
      ['keep', { dir: 'x', keep: 0 }],
      ['keep', { dir: 'x', keep: 1.5 }],
      ['keep', { dir: 'x', keep: '2' }],
      ['chunkSize', { dir: 'x', chunkSize: 0 }],
      ['chunkSize', { dir: 'x', chunkSize: -5 }],
      ['options', null],
    ])('throws InvalidOptionError naming `%s` for %j', (option, options) => {
      const create = (): unknown => new FileSnapshotStore(options as unknown as FileSnapshotStoreOptions);
      expect(create).toThrow(InvalidOptionError);
      expect(create).toThrow(`\`${option}\``);
    });

    it('defaults keep to 2 and chunkSize to 10,000 and resolves dir', () => {
      const store = new FileSnapshotStore({ dir: 'relative/state' });
      expect(store.keep).toBe(2);
      expect(store.chunkSize).toBe(10_000);
      expect(store.dir).toBe(join(process.cwd(), 'relative/state'));
    });
  });

  describe('folderOf', () => {
    it('gives every odd key its own folder directly inside dir', async () => {
      const store = storeOf();
      const folders = ODD_KEYS.map((key) => store.folderOf(key));
      expect(new Set(folders.map((folder) => folder.toLowerCase())).size).toBe(ODD_KEYS.length);
      for (const folder of folders) {
        expect(join(folder, '..')).toBe(store.dir);
        expect(basename(folder)).toMatch(/^(k-[a-z0-9_%A-F-]*|h-[0-9a-f]{64})$/);
        expect(basename(folder).length).toBeLessThanOrEqual(200);
      }
      for (const [index, key] of ODD_KEYS.entries()) await store.save(key, { sequence: 1, meta: index });
      expect(await namesIn(dir)).toEqual([...folders.map((folder) => basename(folder))].sort());
    });

    it('keeps readable keys readable', () => {
      expect(basename(storeOf().folderOf('orders/EU-1'))).toBe('k-orders%2F%45%55-1');
    });
  });

  describe('save', () => {
    it('writes one file per snapshot, named by its zero-padded sequence', async () => {
      const store = storeOf();
      await store.save('counter', { sequence: 7, meta: {} });
      expect(await namesIn(store.folderOf('counter'))).toEqual(['0000000000000007.snap']);
    });

    it('refuses a sequence that is not above the newest, also in a new store on the same folder', async () => {
      await storeOf().save('counter', { sequence: 5, meta: 'kept' });
      const error = await rejectionOf(() => storeOf().save('counter', { sequence: 5, meta: 'refused' }));
      expect((error as InvalidOptionError).option).toBe('sequence');
      expect((await storeOf().load('counter')).snapshot?.meta).toBe('kept');
    });

    it('replaces a damaged newest snapshot of the same sequence', async () => {
      const { path } = await twoSnapshots(true);
      await writeFile(path, 'garbage');
      const store = storeOf();
      await store.save('k', { sequence: 2, meta: 'rewritten' });
      expect(await store.load('k')).toEqual({
        snapshot: { sequence: 2, meta: 'rewritten', entries: [] },
        skipped: [],
      });
    });

    it('accepts a sequence below a damaged newer snapshot and removes that one once durable', async () => {
      const store = storeOf();
      await store.save('k', small(1));
      await store.save('k', small(3));
      await writeFile(pathOf(store, 'k', 3), 'garbage');
      await storeOf().save('k', { sequence: 2, meta: 'after the damage' });
      expect(await namesIn(store.folderOf('k'))).toEqual(['0000000000000001.snap', '0000000000000002.snap']);
      expect((await storeOf().load('k')).snapshot?.meta).toBe('after the damage');
    });

    it('syncs the temp file, renames it, syncs the folder, and only then removes old snapshots', async () => {
      const store = storeOf({ keep: 2 });
      await store.save('k', small(1));
      await store.save('k', small(2));
      io.log.length = 0;
      await store.save('k', small(3));
      const at = (step: string): number => {
        const index = io.log.indexOf(step);
        expect(index, `${step} in ${io.log.join(', ')}`).toBeGreaterThanOrEqual(0);
        return index;
      };
      expect(at('open temp')).toBeLessThan(at('write temp'));
      expect(io.log.lastIndexOf('write temp')).toBeLessThan(at('sync temp'));
      expect(at('sync temp')).toBeLessThan(at('rename temp to snapshot 3'));
      expect(at('rename temp to snapshot 3')).toBeLessThan(at('sync folder'));
      expect(at('sync folder')).toBeLessThan(at('rm snapshot 1'));
      expect(io.log).not.toContain('rm snapshot 2');
      expect(await namesIn(store.folderOf('k'))).toEqual(['0000000000000002.snap', '0000000000000003.snap']);
    });

    it.each(['open temp', 'write temp', 'sync temp', 'rename temp to snapshot 3', 'sync folder'])(
      'leaves the previous snapshots and no temp file when `%s` fails',
      async (failAt) => {
        const store = storeOf({ keep: 2 });
        await store.save('k', small(1));
        await store.save('k', small(2));
        const before = await namesIn(store.folderOf('k'));
        io.failAt = failAt;
        const error = await rejectionOf(() => store.save('k', small(3)));
        io.failAt = undefined;
        expect(String(error)).toContain(`injected failure: ${failAt}`);
        expect(await namesIn(store.folderOf('k'))).toEqual(before);
        expect(await storeOf().load('k')).toEqual({ snapshot: small(2), skipped: [] });
        await store.save('k', small(3)); // the same sequence again, once the fault is gone
        expect((await store.load('k')).snapshot?.sequence).toBe(3);
      },
    );

    it('rejects a meta that msgpackr cannot encode and keeps the previous snapshot', async () => {
      const store = storeOf();
      await store.save('k', small(1));
      await expect(store.save('k', { sequence: 2, meta: { symbol: Symbol('no') } })).rejects.toThrow();
      expect(await namesIn(store.folderOf('k'))).toEqual(['0000000000000001.snap']);
      expect((await store.load('k')).snapshot).toEqual(small(1));
    });

    it.each([1, 2, 3])('keeps the newest snapshots up to keep = %i', async (keep) => {
      const store = storeOf({ keep });
      for (let sequence = 1; sequence <= 5; sequence++) await store.save('k', small(sequence));
      const expected = [5, 4, 3].slice(0, keep).map((sequence) => basename(pathOf(store, 'k', sequence)));
      expect(await namesIn(store.folderOf('k'))).toEqual(expected.sort());
    });

    it('counts only intact snapshots towards keep', async () => {
      const store = storeOf({ keep: 2 });
      await store.save('k', small(1));
      await store.save('k', small(2));
      await writeFile(pathOf(store, 'k', 2), flipped(await readFile(pathOf(store, 'k', 2)), 40));
      const fresh = storeOf({ keep: 2 }); // knows nothing yet, so it has to read what is there
      await fresh.save('k', small(3));
      expect(await namesIn(store.folderOf('k'))).toEqual(['0000000000000001.snap', '0000000000000003.snap']);
    });

    it('round-trips values of many different shapes within and across chunks', async () => {
      const store = storeOf({ chunkSize: 300 });
      const entries: SnapshotEntry[] = Array.from({ length: 1000 }, (_, i) => [
        { id: i },
        { [`field-${i}`]: i, [`group-${i % 7}`]: [i], shared: new Map([[i, { nested: i }]]) },
      ]);
      await store.save('shapes', { sequence: 1, meta: {}, entries });
      expect((await storeOf().load('shapes')).snapshot?.entries).toEqual(entries);
    });

    it('round-trips a 200,000-entry snapshot', async () => {
      const store = storeOf();
      const state = new Map<string, { count: number; label: string }>();
      for (let i = 0; i < 200_000; i++) state.set(`key-${i}`, { count: i, label: i % 2 === 0 ? 'even' : 'odd' });
      await store.save('big', { sequence: 1, meta: { size: state.size }, entries: state.entries() });
      const { snapshot } = await storeOf().load('big');
      expect(snapshot?.entries).toHaveLength(200_000);
      expect(new Map(snapshot?.entries as [string, unknown][])).toEqual(state);
      expect(snapshot?.entries[123_456]).toEqual(['key-123456', { count: 123_456, label: 'even' }]);
    });

    fcIt.prop(
      [
        fc.array(fc.tuple(fc.oneof(fc.string(), fc.integer()), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer()))), {
          maxLength: 40,
        }),
        fc.integer({ min: 1, max: 7 }),
      ],
      { numRuns: 60 },
    )('round-trips any entries with any chunk size', async (entries, chunkSize) => {
      const own = await mkdtemp(join(tmpdir(), 'sluice-'));
      try {
        const store = new FileSnapshotStore({ dir: own, chunkSize });
        await store.save('k', { sequence: 1, meta: chunkSize, entries });
        expect(await store.load('k')).toEqual({ snapshot: { sequence: 1, meta: chunkSize, entries }, skipped: [] });
      } finally {
        await rm(own, { recursive: true, force: true });
      }
    });
  });

  describe('load', () => {
    it('falls back to the previous snapshot when the newest is truncated', async () => {
      const { store, bytes, path } = await twoSnapshots(true);
      for (let length = 0; length < bytes.length; length++) {
        await writeFile(path, bytes.subarray(0, length));
        const { snapshot, skipped } = await store.load('k');
        expect(snapshot, `truncated to ${length} bytes`).toEqual(small(1));
        expect(skipped).toEqual([{ sequence: 2, reason: expect.stringMatching(/^truncated: /), location: path }]);
      }
    });

    it('falls back to the previous snapshot when any single byte of the newest is flipped', async () => {
      const { store, bytes, path } = await twoSnapshots(true);
      for (let offset = 0; offset < bytes.length; offset++) {
        await writeFile(path, flipped(bytes, offset));
        const { snapshot, skipped } = await store.load('k');
        expect(snapshot, `byte ${offset} flipped`).toEqual(small(1));
        const reason = expect.stringMatching(reasonForFlipAt(offset));
        expect(skipped).toEqual([{ sequence: 2, reason, location: path }]);
      }
    });

    it('returns no snapshot but reports the skip when the only snapshot is truncated or flipped', async () => {
      const { store, bytes, path } = await twoSnapshots(false);
      const damaged = [
        ...Array.from({ length: bytes.length }, (_, length) => bytes.subarray(0, length)),
        ...Array.from({ length: bytes.length }, (_, offset) => flipped(bytes, offset)),
      ];
      for (const content of damaged) {
        await writeFile(path, content);
        expect(await store.load('k')).toEqual({
          snapshot: undefined,
          skipped: [{ sequence: 2, reason: expect.any(String), location: path }],
        });
      }
    });

    it('never returns the damaged snapshot, whatever the damage', async () => {
      const { store, bytes, path } = await twoSnapshots(true);
      const damageArb = fc.oneof(
        fc.record({ kind: fc.constant('xor' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
        fc.record({ kind: fc.constant('zero' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
        fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
        fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
      );
      // fc.assert prints the seed and path of a failure, for replay.
      await fc.assert(
        fc.asyncProperty(fc.array(damageArb, { minLength: 1, maxLength: 4 }), async (damages) => {
          let content: Buffer = Buffer.from(bytes);
          for (const damage of damages) {
            if (damage.kind === 'xor' && content.length > 0) {
              content = flipped(content, damage.at % content.length, damage.mask);
            }
            if (damage.kind === 'zero' && content.length > 0) {
              const start = damage.at % content.length;
              content.fill(0, start, Math.min(content.length, start + damage.length));
            }
            if (damage.kind === 'cut') content = content.subarray(0, damage.at % (content.length + 1));
            if (damage.kind === 'append') content = Buffer.concat([content, damage.bytes]);
          }
          fc.pre(!content.equals(bytes)); // zeroing zeros, for one, changes nothing
          await writeFile(path, content);
          expect(await store.load('k')).toEqual({
            snapshot: small(1),
            skipped: [{ sequence: 2, reason: expect.any(String), location: path }],
          });
        }),
        { numRuns: 300 },
      );
    });

    it('names the damage', async () => {
      const { store, bytes, path } = await twoSnapshots(true);
      const cases: [Buffer, string][] = [
        [Buffer.from('XXXX'), 'bad magic'],
        [bytes.subarray(0, 3), 'truncated: 3 bytes, shorter than the 24-byte preamble'],
        [bytes.subarray(0, 100), `truncated: 100 of ${bytes.length} bytes`],
        [Buffer.concat([bytes, Buffer.from([0])]), `${bytes.length + 1} bytes where the preamble declares ${bytes.length}`],
        [flipped(bytes, 7, 0x03), 'unsupported format version 2'],
        [flipped(bytes, bytes.length - 1, 0x01), 'checksum mismatch'],
        [Buffer.alloc(bytes.length), 'bad magic'],
      ];
      for (const [content, reason] of cases) {
        await writeFile(path, content);
        expect((await store.load('k')).skipped).toEqual([{ sequence: 2, reason, location: path }]);
      }
    });

    it('reports every damaged snapshot it passes over, newest first', async () => {
      const store = storeOf({ keep: 3 });
      for (const sequence of [1, 2, 3]) await store.save('k', small(sequence));
      await writeFile(pathOf(store, 'k', 3), 'torn');
      await writeFile(pathOf(store, 'k', 2), '');
      const { snapshot, skipped } = await store.load('k');
      expect(snapshot).toEqual(small(1));
      expect(skipped.map((skip) => [skip.sequence, skip.location])).toEqual([
        [3, pathOf(store, 'k', 3)],
        [2, pathOf(store, 'k', 2)],
      ]);
    });

    it('skips an intact file that belongs to another key or sequence', async () => {
      const store = storeOf();
      await store.save('k', small(1));
      await store.save('other', small(5));
      await copyFile(pathOf(store, 'other', 5), pathOf(store, 'k', 5));
      await copyFile(pathOf(store, 'k', 1), pathOf(store, 'k', 4));
      const { snapshot, skipped } = await store.load('k');
      expect(snapshot).toEqual(small(1));
      expect(skipped).toEqual([
        { sequence: 5, reason: 'malformed: header names key "other"', location: pathOf(store, 'k', 5) },
        { sequence: 4, reason: 'malformed: header names sequence 1', location: pathOf(store, 'k', 4) },
      ]);
    });

    it('ignores leftover temp files, even complete ones, and removes them', async () => {
      const store = storeOf();
      await store.save('k', small(1));
      await store.save('k', small(2));
      const folder = store.folderOf('k');
      await copyFile(pathOf(store, 'k', 2), join(folder, '.0000000000000009.abc.tmp'));
      await writeFile(join(folder, '.0000000000000003.def.tmp'), 'half a snap');
      await writeFile(join(folder, 'notes.txt'), 'not ours');
      expect(await storeOf().load('k')).toEqual({ snapshot: small(2), skipped: [] });
      expect(await namesIn(folder)).toEqual(['0000000000000001.snap', '0000000000000002.snap', 'notes.txt']);
    });

    it('rejects, rather than skipping, a snapshot it cannot read', async () => {
      const store = storeOf();
      await store.save('k', small(1));
      await rm(pathOf(store, 'k', 1));
      await mkdir(pathOf(store, 'k', 1)); // reading it fails with EISDIR
      await expect(store.load('k')).rejects.toMatchObject({ code: 'EISDIR' });
    });
  });

  describe('delete', () => {
    it('removes the key folder and leaves nothing else behind', async () => {
      const store = storeOf();
      await store.save('gone', small(1));
      await store.save('kept', small(1));
      await store.delete('gone');
      expect(await namesIn(dir)).toEqual([basename(store.folderOf('kept'))]);
    });
  });
});
