/**
 * What the cluster tests share: a word-count input made from a seed, fresh job ids, and the removal of a job's buckets
 * once a test is done with them.
 */
import { writeFile } from 'node:fs/promises';
import type { NatsConnection } from '@nats-io/nats-core';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { nanoid } from 'nanoid';
import { jobNames } from '../../src/cluster/job-names.js';
import { mulberry32 } from '../../src/internal/mulberry32.js';

/** `lines` lines of words drawn from a skewed vocabulary by a generator seeded with `seed`. */
export async function writeWordInput(path: string, lines: number, seed: number): Promise<void> {
  const random = mulberry32(seed);
  const vocabulary = Array.from({ length: 3_000 }, (_, i) => `w${i.toString(36)}${'éx'.slice(0, i % 3)}`);
  const out: string[] = [];
  for (let line = 0; line < lines; line++) {
    const words: string[] = [];
    for (let w = 0; w < 10; w++) words.push(vocabulary[Math.floor(vocabulary.length * random() ** 2)] as string);
    out.push(`${words.join(line % 7 === 0 ? ', ' : ' ')}${line % 5 === 0 ? '.' : ''}`);
  }
  await writeFile(path, `${out.join('\n')}\n`);
}

/** A job id no other test uses. */
export function freshJobId(prefix: string): string {
  return `${prefix}-${nanoid(8).replace(/[^A-Za-z0-9]/g, 'x')}`;
}

/** Deletes job `job`'s buckets. */
export async function removeJob(nc: NatsConnection, job: string): Promise<void> {
  const names = jobNames(job);
  const kvm = new Kvm(nc);
  for (const bucket of [names.stateBucket, names.leaseBucket]) await (await kvm.open(bucket)).destroy().catch(() => undefined);
  await (await new Objm(nc).open(names.checkpointBucket).catch(() => undefined))?.destroy().catch(() => undefined);
}
