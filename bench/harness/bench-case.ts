/**
 * A benchmark case: one job, done by several named implementations, each of which a child process
 * can find by name and run alone. The input is built lazily, in the child, so that the parent can
 * list cases and implementations without paying for a million-message array it will never use.
 * Invariant: every case has exactly one `floor` implementation (the plain single-threaded loop),
 * whose checksum every other implementation must reproduce.
 */

/** How big the inputs are: `quick` for a run of about a minute, `full` for the published numbers. */
export type Scale = 'quick' | 'full';

/**
 * What an implementation is, for verification and the ratio column: the `floor` is the plain loop
 * every checksum is checked against; `peer`s are other libraries (or hand-written equivalents);
 * `sluice` rows are compared with the floor and every peer.
 */
export type Role = 'floor' | 'peer' | 'sluice';

/** One implementation, made ready over the case's input: runs the job once per `run`. */
export interface Runner {
  /** Untimed set-up before every run (building a large initial state, a fresh checkpoint folder). */
  prepare?(): Promise<void> | void;
  /** Does the job once and returns a checksum of its result, to be compared with the floor's. */
  run(): Promise<number> | number;
  /**
   * Untimed, after every run that returned: the checksum of what the run left outside the process
   * (the rows of a database table), in place of what `run` returned. For a job whose result is
   * read back by a query that is no part of the job, so that query is in no implementation's rate.
   */
  verify?(): Promise<number> | number;
  /** Untimed clean-up once after the last run, also when a run threw (removing temporary files). */
  dispose?(): Promise<void> | void;
  /**
   * Numbers about the run just done besides its rate, by name (how long worker processes took to
   * their first record): read, untimed, after every run that returned.
   */
  observe?(): Readonly<Record<string, number>>;
}

/** What an implementation's `observe` said: of its first run (the cold one), and of each timed run, in order. */
export interface Observations {
  readonly cold: Readonly<Record<string, number>>;
  readonly runs: Readonly<Record<string, readonly number[]>>;
}

/** What a case's `findings` reads of each of its rows (a result row, as the parent judged it). */
export interface MeasuredRow {
  readonly impl: string;
  /** Operations in one run; `null` when the row failed before saying. */
  readonly operations: number | null;
  /** The median rate; `null` for a FAILURE. */
  readonly opsPerSec: number | null;
  /** The first run's rate in its fresh process (the cold rate); `null` for a FAILURE, absent when not known. */
  readonly coldOpsPerSec?: number | null | undefined;
  /** The rate of each timed run, in order. */
  readonly samples: readonly number[];
  readonly observations?: Observations | undefined;
}

/** How many untimed and timed runs a child does. */
export interface RunPlan {
  readonly warmups: number;
  readonly runs: number;
}

/** One implementation of a case, as a case module declares it. */
export interface ImplementationSpec<TInput> {
  readonly impl: string;
  readonly role: Role;
  /**
   * Other Sluice implementations of the same case that this one's ratio column also divides by
   * (Sluice rows are otherwise compared with the floor and peers only): checkpoints on against off.
   */
  readonly compareWith?: readonly string[] | undefined;
  /** Builds the runner over the case's input; its closure holds whatever state persists across runs. */
  create(input: TInput): Runner;
}

/** What a case module passes to {@link defineCase}. */
export interface CaseSpec<TInput> {
  readonly name: string;
  /** What one operation is, for the table ("messages", "records"). */
  readonly unit: string;
  /** Builds the input of every run, deterministically: each implementation's child builds its own. */
  input(scale: Scale): TInput;
  /** How many operations one run over `input` does. */
  operations(input: TInput): number;
  readonly implementations: readonly ImplementationSpec<TInput>[];
  /**
   * Overrides the default run plan, for cases whose single run takes many seconds.
   * @defaultValue {@link DEFAULT_PLANS}
   */
  readonly plans?: Readonly<Record<Scale, RunPlan>> | undefined;
  /**
   * Whether the implementations' children run side by side and take turns, one run each per round
   * (see `run-in-turns.ts`), rather than one child after another: for a case whose rows are compared
   * with each other, so a slow spell of the host falls on every row alike. Only for a case whose
   * children hold nothing outside their own process (no service, no shared files), and whose runs
   * last long enough (a few hundred milliseconds or more) that reloading the caches other children
   * emptied does not count: a run of a few milliseconds after a wait runs several times slower.
   * @defaultValue false
   */
  readonly interleaved?: boolean | undefined;
  /**
   * Why the case cannot run on this machine now (a service it needs does not answer), checked by
   * the parent before it starts the case's children; `undefined` when it can. A case that cannot
   * run is skipped, with this reason printed, rather than failed.
   */
  unavailable?(): Promise<string | undefined>;
  /**
   * What the case found beyond its rates, one line each, from its rows once the parent judged them
   * (a cost per record worked out from two rows, a start-up time its runners observed).
   */
  findings?(rows: readonly MeasuredRow[]): string[];
}

/** An implementation's name and role: what the parent needs to spawn, judge and compare it. */
export interface ImplementationInfo {
  readonly impl: string;
  readonly role: Role;
  /** See {@link ImplementationSpec.compareWith}; absent when empty. */
  readonly compareWith?: readonly string[] | undefined;
}

/** A runner made ready in a child, with the number of operations one run does. */
export interface LoadedImplementation {
  readonly operations: number;
  readonly runner: Runner;
}

/** A case with its input type hidden, so that cases of different inputs share one registry. */
export interface BenchCase {
  readonly name: string;
  readonly unit: string;
  readonly implementations: readonly ImplementationInfo[];
  plan(scale: Scale): RunPlan;
  /** See {@link CaseSpec.interleaved}. */
  readonly interleaved: boolean;
  /** See {@link CaseSpec.unavailable}: resolves `undefined` for a case that needs nothing. */
  unavailable(): Promise<string | undefined>;
  /** See {@link CaseSpec.findings}: none for a case that has nothing to add. */
  findings(rows: readonly MeasuredRow[]): string[];
  /**
   * Builds the input and the named implementation's runner.
   * @throws Error when the case has no implementation of that name.
   */
  load(impl: string, scale: Scale): LoadedImplementation;
}

/**
 * Warm-ups and timed runs per scale, unless a case says otherwise. Every child starts cold, so even
 * a quick run warms up twice: after one run the JIT is often still compiling the hot loop.
 */
export const DEFAULT_PLANS: Readonly<Record<Scale, RunPlan>> = {
  quick: { warmups: 2, runs: 3 },
  full: { warmups: 3, runs: 7 },
};

/**
 * Checks a case module's declaration and hides its input type.
 *
 * @throws Error when the case has no or several `floor` implementations, two of the same name, or a
 * `compareWith` that names no other Sluice implementation of the case.
 * @example
 * ```ts
 * export const sumCase = defineCase({
 *   name: 'sum',
 *   unit: 'numbers',
 *   input: (scale) => Array.from({ length: scale === 'quick' ? 1_000 : 1_000_000 }, (_, i) => i),
 *   operations: (numbers) => numbers.length,
 *   implementations: [
 *     { impl: 'plain loop', role: 'floor', create: (numbers) => ({ run: () => numbers.reduce((a, b) => a + b, 0) }) },
 *   ],
 * });
 * ```
 */
export function defineCase<TInput>(spec: CaseSpec<TInput>): BenchCase {
  const floors = spec.implementations.filter((implementation) => implementation.role === 'floor');
  if (floors.length !== 1) {
    throw new Error(`Expected case \`${spec.name}\` to have exactly one floor implementation, got ${floors.length}`);
  }
  const names = spec.implementations.map((implementation) => implementation.impl);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw new Error(`Case \`${spec.name}\` has two implementations named \`${duplicate}\``);
  for (const { impl, compareWith = [] } of spec.implementations) {
    const unknown = compareWith.find(
      (other) => other === impl || !spec.implementations.some((candidate) => candidate.impl === other && candidate.role === 'sluice'),
    );
    if (unknown !== undefined) {
      throw new Error(`Expected \`compareWith\` of \`${impl}\` in case \`${spec.name}\` to name another Sluice implementation, got \`${unknown}\``);
    }
  }
  const plans = spec.plans ?? DEFAULT_PLANS;
  return {
    name: spec.name,
    unit: spec.unit,
    implementations: spec.implementations.map(({ impl, role, compareWith }) =>
      compareWith === undefined || compareWith.length === 0 ? { impl, role } : { impl, role, compareWith },
    ),
    plan: (scale) => plans[scale],
    interleaved: spec.interleaved ?? false,
    unavailable: async () => spec.unavailable?.(),
    findings: (rows) => spec.findings?.(rows) ?? [],
    load(impl, scale) {
      const implementation = spec.implementations.find((candidate) => candidate.impl === impl);
      if (implementation === undefined) {
        throw new Error(`Case \`${spec.name}\` has no implementation \`${impl}\`; it has: ${names.join(', ')}`);
      }
      const input = spec.input(scale);
      return { operations: spec.operations(input), runner: implementation.create(input) };
    },
  };
}
