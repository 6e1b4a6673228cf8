/**
 * Lightweight actors: what one actor per entity (user, device, session) costs. Three cases over N
 * actors of one plain-state definition spawned with default options, each beside a floor of one
 * plain object per entity (a state and an array for its messages):
 * - `actor-spawn`: spawning N actors (the system is made and shut down untimed, around each run);
 * - `actor-idle-memory`: heap per idle actor, after a full collection, once all N have started;
 * - `actor-million`: 1,000,000 actors (200,000 with `--quick`) in one process with the default heap:
 *   spawn them, tell each one message and wait until every one handled it, shut the system down.
 * Their findings print what the targets of issue 24 ask for: ≤ 1 KB per idle actor, ≥ 500 K
 * spawns/s, a tell to each of a million within a second, and their shutdown within two.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createSystem, defineActor, type ActorRef, type ActorSystem } from '../../src/index.js';
import { defineCase, type ImplementationSpec, type MeasuredRow, type Runner } from '../harness/bench-case.js';
import { formatRate } from '../report/result-table.js';

/** A full collection, for heap readings that count only what is alive. */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const counter = defineActor<number, number>({ initialState: () => 0, receive: (total, amount) => total + amount });

/** Resolves once every actor of `refs` has started (the dispatcher ran their first slices). */
async function started(refs: readonly ActorRef<number>[]): Promise<void> {
  // One pass over the refs: an actor that has started stays past starting.
  for (const ref of refs) while (ref.status === 'starting') await new Promise<void>((resolve) => setImmediate(resolve));
}

/** The floor's entity: what an actor is at the least, a state and somewhere to put its messages. */
interface Entity {
  state: number;
  readonly queue: number[];
}

function entities(count: number): Entity[] {
  const all = new Array<Entity>(count);
  for (let i = 0; i < count; i++) all[i] = { state: 0, queue: [] };
  return all;
}

/** Heap growth per item after a full collection, around `make`. */
function heapPer<T>(count: number, make: () => T): { readonly kept: T; readonly bytes: number } {
  collect();
  const before = process.memoryUsage().heapUsed;
  const kept = make();
  collect();
  return { kept, bytes: (process.memoryUsage().heapUsed - before) / count };
}

const spawnCase = defineCase({
  name: 'actor-spawn',
  unit: 'actors',
  input: (scale) => (scale === 'quick' ? 100_000 : 500_000),
  operations: (count) => count,
  implementations: [
    { impl: 'plain object per entity', role: 'floor', create: (count) => ({ run: () => entities(count).length }) },
    {
      impl: 'sluice spawn',
      role: 'sluice',
      create: (count): Runner => {
        let system: ActorSystem | undefined;
        return {
          async prepare() {
            await system?.shutdown();
            system = createSystem({ name: 'spawn' });
          },
          run() {
            const spawning = system as ActorSystem;
            for (let i = 0; i < count; i++) spawning.spawn(counter);
            return count;
          },
          dispose: () => system?.shutdown(),
        };
      },
    },
  ],
  findings: (rows) => rows.flatMap((row) => spawnRateFinding(row)),
});

/** Spawns a second the sluice row is held to (issue 24), cold and steady both. */
const SPAWN_TARGET_PER_SEC = 500_000;

function spawnRateFinding(row: MeasuredRow): string[] {
  if (!row.impl.startsWith('sluice') || row.opsPerSec === null) return [];
  const slowest = Math.min(row.opsPerSec, row.coldOpsPerSec ?? row.opsPerSec);
  const verdict = slowest >= SPAWN_TARGET_PER_SEC ? 'met' : 'not met';
  return [
    `${row.impl}: ${formatRate(row.coldOpsPerSec ?? NaN)} spawns/s cold, ${formatRate(row.opsPerSec)} steady ` +
      `(target ≥ ${formatRate(SPAWN_TARGET_PER_SEC)}/s both: ${verdict})`,
  ];
}

/** For the cases whose every run spawns hundreds of thousands of actors: a warm-up and a few runs are enough. */
const FEW_RUNS = { quick: { warmups: 1, runs: 2 }, full: { warmups: 1, runs: 3 } } as const;

/** Bytes per idle actor as the sluice row observed them, and the target it is held to. */
const IDLE_TARGET_BYTES = 1024;

const idleMemoryCase = defineCase({
  name: 'actor-idle-memory',
  unit: 'actors',
  input: (scale) => (scale === 'quick' ? 50_000 : 200_000),
  operations: (count) => count,
  plans: FEW_RUNS,
  implementations: [
    {
      impl: 'plain object per entity',
      role: 'floor',
      create: (count): Runner => {
        let bytes = 0;
        return {
          run() {
            const measured = heapPer(count, () => entities(count));
            bytes = measured.bytes;
            return measured.kept.length;
          },
          observe: () => ({ bytesPerActor: bytes }),
        };
      },
    },
    {
      impl: 'sluice idle actors',
      role: 'sluice',
      create: (count): Runner => {
        let bytes = 0;
        return {
          async run() {
            const system = createSystem({ name: 'idle' });
            collect();
            const before = process.memoryUsage().heapUsed;
            const refs = new Array<ActorRef<number>>(count);
            for (let i = 0; i < count; i++) refs[i] = system.spawn(counter);
            await started(refs);
            collect();
            bytes = (process.memoryUsage().heapUsed - before) / count;
            await system.shutdown();
            return refs.length;
          },
          observe: () => ({ bytesPerActor: bytes }),
        };
      },
    },
  ],
  findings: (rows) => rows.flatMap((row) => bytesFinding(row)),
});

function bytesFinding(row: MeasuredRow): string[] {
  const bytes = row.observations?.runs['bytesPerActor'];
  if (bytes === undefined || bytes.length === 0) return [];
  const median = [...bytes].sort((a, b) => a - b)[Math.floor(bytes.length / 2)] as number;
  const verdict = row.impl.startsWith('sluice') ? ` (target ≤ ${IDLE_TARGET_BYTES} B: ${median <= IDLE_TARGET_BYTES ? 'met' : 'not met'})` : '';
  return [`${row.impl}: ${Math.round(median)} bytes of heap per idle actor${verdict}`];
}

/** One run of the million: each phase's time, and the heap at its fullest. */
interface MillionPass {
  spawnMs: number;
  tellEachMs: number;
  shutdownMs: number;
  heapMb: number;
}

const millionCase = defineCase({
  name: 'actor-million',
  unit: 'actors',
  input: (scale) => (scale === 'quick' ? 200_000 : 1_000_000),
  operations: (count) => count,
  plans: FEW_RUNS,
  implementations: [
    {
      impl: 'plain object per entity',
      role: 'floor',
      create: (count) => ({
        run() {
          const all = entities(count);
          for (const entity of all) entity.queue.push(1);
          let handled = 0;
          for (const entity of all) {
            for (const amount of entity.queue.splice(0)) entity.state += amount;
            handled += entity.state;
          }
          return handled;
        },
      }),
    },
    millionSluice(),
  ],
  findings: (rows) => {
    const runs = rows.find((row) => row.impl === 'sluice, spawn + tell each + shutdown')?.observations?.runs;
    if (runs === undefined) return [];
    const worst = (name: keyof MillionPass): number => Math.max(...(runs[name] ?? [NaN]));
    return [
      `sluice, worst of its runs: spawn ${Math.round(worst('spawnMs'))} ms, a tell to each handled in ${Math.round(worst('tellEachMs'))} ms (target < 1000), ` +
        `shutdown ${Math.round(worst('shutdownMs'))} ms (target < 2000), heap ${Math.round(worst('heapMb'))} MB`,
    ];
  },
});

function millionSluice(): ImplementationSpec<number> {
  return {
    impl: 'sluice, spawn + tell each + shutdown',
    role: 'sluice',
    create: (count): Runner => {
      const pass: MillionPass = { spawnMs: 0, tellEachMs: 0, shutdownMs: 0, heapMb: 0 };
      return {
        async run() {
          let handled = 0;
          let allHandled!: () => void;
          const done = new Promise<void>((resolve) => (allHandled = resolve));
          const counted = defineActor<number, number>({
            initialState: () => 0,
            receive(total, amount) {
              if (++handled === count) allHandled();
              return total + amount;
            },
          });
          const system = createSystem({ name: 'million' });
          const t0 = performance.now();
          const refs = new Array<ActorRef<number>>(count);
          for (let i = 0; i < count; i++) refs[i] = system.spawn(counted);
          await started(refs);
          const t1 = performance.now();
          for (const ref of refs) ref.tell(1);
          await done;
          const t2 = performance.now();
          pass.heapMb = process.memoryUsage().heapUsed / 1e6;
          await system.shutdown();
          const t3 = performance.now();
          Object.assign(pass, { spawnMs: t1 - t0, tellEachMs: t2 - t1, shutdownMs: t3 - t2 });
          return handled;
        },
        observe: () => ({ ...pass }),
      };
    },
  };
}

export { spawnCase as actorSpawnCase, idleMemoryCase as actorIdleMemoryCase, millionCase as actorMillionCase };
