/** Renders measurements as a plain-text table, with each Sluice row's ratio to every baseline. */
import type { Measurement } from './measure.js';

export function renderTable(results: readonly Measurement[]): string {
  const rows: string[][] = [['case', 'implementation', 'ops/s', 'vs baselines']];
  for (const result of results) {
    const baselines = results.filter((r) => r.case === result.case && r.baseline && r !== result);
    const ratios = result.baseline ? '' : baselines.map((b) => `${(result.opsPerSec / b.opsPerSec).toFixed(2)}x ${b.impl}`).join(', ');
    rows.push([result.case, result.impl, `${formatRate(result.opsPerSec)} ${result.unit}/s`, ratios]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]): string => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function formatRate(opsPerSec: number): string {
  if (opsPerSec >= 1e6) return `${(opsPerSec / 1e6).toFixed(2)} M`;
  if (opsPerSec >= 1e3) return `${(opsPerSec / 1e3).toFixed(1)} K`;
  return opsPerSec.toFixed(0);
}
