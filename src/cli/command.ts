/**
 * A command of the `sluice` command line (`sluice run`, …): its name, the line the top-level help
 * lists it with, its own help, and what it does. `main` holds the table of them and dispatches.
 */

/** One `sluice <name>` command. */
export interface Command {
  /** What follows `sluice` on the command line. */
  readonly name: string;
  /** One line for the list of commands in `sluice --help`. */
  readonly summary: string;
  /** The full text of `sluice <name> --help`, ending in a line break. */
  readonly help: string;
  /**
   * Runs the command with the arguments after its name and resolves with the process's exit
   * status. Writes its own output; leaves no timer or handle behind once it has resolved.
   * @throws UsageError for a command line it cannot run (exit 2); anything else is a failure (exit 1).
   */
  run(argv: readonly string[]): Promise<number>;
}
