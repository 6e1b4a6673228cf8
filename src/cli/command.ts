/**
 * A command of the `sluice` command line (`sluice run`, …): its name, the line the top-level help
 * lists it with, and what it does (its own `--help` included). `main` holds the table of them and
 * dispatches.
 */

/** One `sluice <name>` command. */
export interface Command {
  /** What follows `sluice` on the command line. */
  readonly name: string;
  /** One line for the list of commands in `sluice --help`. */
  readonly summary: string;
  /**
   * Runs the command with the arguments after its name and resolves with the process's exit
   * status. Writes its own output (its help, on `--help` or `-h`, to standard output); leaves no
   * timer or handle behind once it has resolved.
   * @throws UsageError for a command line it cannot run (exit 2); anything else is a failure (exit 1).
   */
  run(argv: readonly string[]): Promise<number>;
}
