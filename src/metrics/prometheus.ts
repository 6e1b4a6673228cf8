/**
 * The Prometheus text exposition format (version 0.0.4), from {@link Metric}s: no server, no
 * registry, a pure function of its input. Names and units are converted as OpenTelemetry's
 * Prometheus compatibility rules say: dots become underscores, the unit becomes a suffix
 * (`_seconds`, `_bytes`, `_ratio`; annotations like `{record}` are dropped), counters end in
 * `_total`. Metrics that convert to one name are one family, with one HELP and TYPE.
 */
import type { Metric, MetricAttributes } from './metric.js';

/** The `Content-Type` of {@link toPrometheus}'s output. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const UNIT_SUFFIXES: Readonly<Record<string, string>> = {
  s: 'seconds',
  ms: 'milliseconds',
  By: 'bytes',
  '1': 'ratio',
};

function sanitize(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** The unit as a name suffix: `s` → `seconds`, `{record}/s` → `per_second`, `{record}` → none. */
function unitSuffix(unit: string): string {
  const [numerator = '', denominator] = unit.split('/');
  const base = numerator.replace(/\{[^}]*\}/g, '');
  const words = [UNIT_SUFFIXES[base] ?? sanitize(base)].filter((word) => word !== '' && word !== '_');
  if (denominator !== undefined) {
    const per = UNIT_SUFFIXES[denominator.replace(/\{[^}]*\}/g, '')];
    if (per !== undefined) words.push(`per_${per.replace(/s$/, '')}`);
  }
  return words.join('_');
}

/**
 * The Prometheus name of a metric: `sluice.actor.restarts` (a counter) → `sluice_actor_restarts_total`,
 * `sluice.pipeline.checkpoint.duration` in `s` → `sluice_pipeline_checkpoint_duration_seconds`.
 */
export function prometheusName(metric: Pick<Metric, 'name' | 'unit' | 'kind'>): string {
  let name = sanitize(metric.name);
  // A counter of `1` is a plain count, not a ratio.
  const suffix = metric.kind === 'counter' && metric.unit === '1' ? '' : unitSuffix(metric.unit);
  if (suffix !== '' && !name.endsWith(`_${suffix}`)) name = `${name}_${suffix}`;
  if (metric.kind === 'counter' && !name.endsWith('_total')) name = `${name}_total`;
  return name;
}

function labelName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labels(attributes: MetricAttributes, extra?: readonly [string, string]): string {
  const pairs = Object.entries(attributes).map(([key, value]) => `${labelName(key)}="${escapeLabel(value)}"`);
  if (extra !== undefined) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/**
 * Renders metrics as Prometheus text, ready to serve on `GET /metrics`.
 *
 * @example
 * ```ts
 * const text = toPrometheus([...pipelineMetrics(handle.metrics()), ...systemMetrics(system.metrics())]);
 * response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(text);
 * ```
 */
export function toPrometheus(metrics: readonly Metric[]): string {
  const families = new Map<string, { help: string; type: string; lines: string[] }>();
  for (const metric of metrics) {
    const name = prometheusName(metric);
    let family = families.get(name);
    if (family === undefined) {
      family = { help: metric.description, type: metric.kind, lines: [] };
      families.set(name, family);
    }
    if (metric.kind === 'summary') {
      for (const point of metric.points) {
        for (const { quantile, value } of point.quantiles) {
          family.lines.push(`${name}${labels(point.attributes, ['quantile', String(quantile)])} ${formatValue(value)}`);
        }
        family.lines.push(`${name}_sum${labels(point.attributes)} ${formatValue(point.sum)}`);
        family.lines.push(`${name}_count${labels(point.attributes)} ${formatValue(point.count)}`);
      }
    } else {
      for (const point of metric.points) family.lines.push(`${name}${labels(point.attributes)} ${formatValue(point.value)}`);
    }
  }
  let text = '';
  for (const [name, family] of families) {
    text += `# HELP ${name} ${escapeHelp(family.help)}\n# TYPE ${name} ${family.type}\n`;
    for (const line of family.lines) text += `${line}\n`;
  }
  return text;
}
