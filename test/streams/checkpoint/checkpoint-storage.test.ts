import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, MemoryCheckpointStorage } from '../../../src/index.js';
import { checkCheckpointOptions } from '../../../src/streams/checkpoint/checkpoint-options.js';
import { FolderCheckpointStorage } from '../../../src/streams/checkpoint/folder-checkpoint-storage.js';
import { describeCheckpointStorageContract } from './checkpoint-storage.spec.js';

describe('MemoryCheckpointStorage', () => {
  describeCheckpointStorageContract(async () => ({ storage: new MemoryCheckpointStorage(), dispose: async () => {} }));
});

describe('FolderCheckpointStorage', () => {
  describeCheckpointStorageContract(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-storage-'));
    return { storage: new FolderCheckpointStorage(dir), dispose: () => rm(dir, { recursive: true, force: true }) };
  });
});

describe('checkCheckpointOptions', () => {
  it('takes a folder or a storage, and names the option it refuses', () => {
    // Checking options touches no folder.
    const dir = join(tmpdir(), 'sluice-never-created');
    expect(checkCheckpointOptions({ dir })?.storage).toBeInstanceOf(FolderCheckpointStorage);
    const storage = new MemoryCheckpointStorage('tests');
    expect(checkCheckpointOptions({ storage })).toEqual({ storage, at: { option: 'checkpoint.storage', location: 'tests' }, interval: 10_000, keep: 2 });
    const refusal = (options: unknown) => {
      try {
        checkCheckpointOptions(options);
      } catch (error) {
        return error instanceof InvalidOptionError ? `${error.option}: ${error.message}` : String(error);
      }
      return 'accepted';
    };
    expect(refusal({})).toMatch(/^checkpoint\.dir: .*a folder path \(or a checkpoint\.storage instead\)/);
    expect(refusal({ dir, storage })).toMatch(/^checkpoint\.storage: .*one place for checkpoints/);
    expect(refusal({ storage: { location: 'x', latest() {} } })).toMatch(/^checkpoint\.storage: .*it has no highestId method/);
  });
});
