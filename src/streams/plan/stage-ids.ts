/**
 * The ids by which a pipeline's stages find their state in a checkpoint. A stage given an `id`
 * keeps it; any other takes its name, or, when an earlier stage (or an explicit id) already has
 * that, its name with `#2`, `#3`… So a stage keeps its derived id when stages are added after it,
 * and an explicit id never changes at all.
 */
import { InvalidPipelineError } from '../../errors.js';

/** A stage as far as its id goes: its name, and the id it was given, if any. */
export interface NamedStage {
  readonly name: string;
  readonly id?: string | undefined;
}

/**
 * Each stage's id, in pipeline order.
 * @throws InvalidPipelineError naming the id when two stages were given the same one.
 */
export function stageIds(stages: readonly NamedStage[]): string[] {
  const taken = new Set<string>();
  for (const { id } of stages) {
    if (id === undefined) continue;
    if (taken.has(id)) throw new InvalidPipelineError(id, 'two stages have this id: every stage id must be unique in its pipeline');
    taken.add(id);
  }
  return stages.map(({ name, id }) => {
    if (id !== undefined) return id;
    let derived = name;
    for (let n = 2; taken.has(derived); n++) derived = `${name}#${n}`;
    taken.add(derived);
    return derived;
  });
}
