/**
 * The files of the cluster case's file-based rows: a temporary folder with the input written once
 * as a file (a cluster job's leader reads its source from one, whichever worker leads), and the
 * output each run writes there. The runs of one row reuse the input; the row removes the folder.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Keyed } from '../../src/index.js';
import { totalsChecksum, type UserTotals } from '../cases/access-log.js';

/** Lines written at a time: a million lines joined at once would be one string of 190 MB. */
const LINES_PER_WRITE = 10_000;

/** A temporary folder holding the input as a file, written on first use, and the runs' outputs. */
export class RunFiles {
  readonly #lines: readonly string[];
  #dir: Promise<string> | undefined;

  /** @param lines - the input, written to the file one a line. */
  constructor(lines: readonly string[]) {
    this.#lines = lines;
  }

  /** The input file, written the first time it is asked for. */
  async input(): Promise<string> {
    this.#dir ??= this.#write();
    return join(await this.#dir, 'input.jsonl');
  }

  /** The output file, empty: the output of the last run and the part files beside it removed. */
  async output(): Promise<string> {
    this.#dir ??= this.#write();
    const output = join(await this.#dir, 'totals.jsonl');
    await rm(output, { force: true });
    await rm(`${output}.parts`, { recursive: true, force: true });
    return output;
  }

  /** Removes the folder and everything in it. */
  async remove(): Promise<void> {
    const dir = this.#dir;
    this.#dir = undefined;
    if (dir !== undefined) await rm(await dir, { recursive: true, force: true });
  }

  async #write(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-cluster-'));
    const out = createWriteStream(join(dir, 'input.jsonl'));
    for (let i = 0; i < this.#lines.length; i += LINES_PER_WRITE) {
      if (!out.write(`${this.#lines.slice(i, i + LINES_PER_WRITE).join('\n')}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    return dir;
  }
}

/**
 * The checksum of the per-user totals in `output`, one `{ key, value }` JSON line per user, as the
 * floor computes it.
 */
export async function totalsChecksumOfFile(output: string): Promise<number> {
  const text = await readFile(output, 'utf8');
  const totals = text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const { key, value } = JSON.parse(line) as Keyed<string, UserTotals>;
      return [key, value] as const;
    });
  return totalsChecksum(totals);
}
