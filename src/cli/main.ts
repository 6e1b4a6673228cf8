/**
 * The `sluice` command line: `sluice <command> [arguments]`. `main` finds the command in the table
 * below and runs it, and turns what it throws into an exit status — a {@link UsageError} into 2,
 * with its one-line reason and a pointer to the command's help; anything else into 1, with the
 * error's name and message (everything about it with `SLUICE_DEBUG` set). bin/sluice.js calls it.
 *
 * A new command is a file exporting a {@link Command} and one more entry in `COMMANDS`; the
 * top-level help lists whatever the table holds.
 */
import type { Command } from './command.js';
import { parseCommandLine } from './command-line.js';
import { failureText } from './failure-text.js';
import { runCommand } from './run-command.js';
import { statusCommand } from './status-command.js';
import { workerCommand } from './worker-command.js';
import { USAGE_EXIT_CODE, UsageError } from './usage-error.js';

/** The commands, in the order the help lists them. */
const COMMANDS: readonly Command[] = [runCommand, workerCommand, statusCommand];

function help(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const commands = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    'Usage: sluice <command> [arguments]',
    '',
    'Commands:',
    ...commands,
    '',
    'Options:',
    '  -h, --help  print this help',
    '',
    'Run "sluice <command> --help" for what a command takes.',
    '',
  ].join('\n');
}

/**
 * Runs the command line `argv` (the arguments after `sluice`) and resolves with the exit status:
 * 0 done, 1 failed, 2 a bad command line, or what the command returns (130 and 143 for a run
 * stopped by a signal). Writes help to standard output, and everything else it says to standard
 * error.
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  let command: Command | undefined;
  try {
    // The flags before the command are sluice's own; everything from the command on is the command's.
    const at = argv.findIndex((arg) => !arg.startsWith('-'));
    const line = parseCommandLine({ command: 'sluice', flags: [], positionals: [], rest: undefined }, at < 0 ? argv : argv.slice(0, at));
    if (line.help) {
      process.stdout.write(help());
      return 0;
    }
    const names = COMMANDS.map((known) => known.name).join(', ');
    const name = argv[at];
    if (name === undefined) throw new UsageError('sluice', `missing command (one of: ${names})`);
    command = COMMANDS.find((known) => known.name === name);
    if (command === undefined) throw new UsageError('sluice', `unknown command ${JSON.stringify(name)} (one of: ${names})`);
    return await command.run(argv.slice(at + 1));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\nRun "${error.command} --help" for usage.\n`);
      return USAGE_EXIT_CODE;
    }
    process.stderr.write(`${command === undefined ? 'sluice' : `sluice ${command.name}`}: ${failureText(error)}\n`);
    return 1;
  }
}
