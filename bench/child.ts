/**
 * The child process entry: `child.ts '<ChildTask as JSON>'`. Runs one implementation of one case
 * (or one probe) and reports on the IPC channel, so nothing a library prints on stdout can garble
 * the result. Run by hand without IPC, it prints the report on stdout instead.
 */
import { loadCase, loadProbe } from './registry.js';
import { peakRssMb, type ChildReport, type ChildTask } from './harness/child-protocol.js';
import { measure } from './harness/measure.js';
import { turnTaker, type ParentChannel } from './harness/child-turns.js';

async function perform(task: ChildTask): Promise<ChildReport> {
  switch (task.kind) {
    case 'case': {
      const benchCase = await loadCase(task.case);
      const { operations, runner } = benchCase.load(task.impl, task.scale);
      const awaitTurn = task.turns === true && process.send !== undefined ? turnTaker(process as ParentChannel) : undefined;
      const { rates, checksums, coldRate, coldChecksum, observations } = await measure(runner, operations, benchCase.plan(task.scale), awaitTurn);
      return { kind: 'case', operations, rates, checksums, coldRate, coldChecksum, peakRssMb: peakRssMb(), observations };
    }
    case 'probe': {
      const finding = await (await loadProbe(task.probe)).run(task.scale);
      return { kind: 'probe', finding, peakRssMb: peakRssMb() };
    }
    case 'idle':
      return { kind: 'idle', peakRssMb: peakRssMb() };
  }
}

function send(report: ChildReport): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) {
      process.stdout.write(`${JSON.stringify(report)}\n`, () => resolve());
      return;
    }
    process.send(report, (error: Error | null) => (error === null ? resolve() : reject(error)));
  });
}

let report: ChildReport;
try {
  report = await perform(JSON.parse(process.argv[2] ?? '') as ChildTask);
} catch (error) {
  // The stack goes to stderr for whoever debugs it; the report carries one line for the table.
  console.error(error);
  report = { kind: 'error', message: error instanceof Error ? error.message : String(error) };
}
await send(report);
// Exit at once: a runtime left with a pending timer must not hold the parent's next child back.
process.exit(report.kind === 'error' ? 1 : 0);
