/**
 * One metric, in a neutral shape that follows the OpenTelemetry data model and naming conventions:
 * dotted lowercase names without units (`sluice.actor.restarts`), UCUM units (`s`, `By`,
 * `{record}`), namespaced attributes (`sluice.pipeline.name`), and a kind — a cumulative monotonic
 * sum (`counter`), a `gauge`, or a `summary` of quantiles. Prometheus text is derived from it by
 * the OpenTelemetry compatibility rules ({@link toPrometheus}); an OpenTelemetry meter takes it as
 * is, one observable instrument per metric.
 */

/** Attribute values by attribute name, e.g. `{ 'sluice.pipeline.name': 'orders' }`. */
export type MetricAttributes = Readonly<Record<string, string>>;

/** One value of a counter or gauge, for one set of attributes. */
export interface MetricPoint {
  readonly attributes: MetricAttributes;
  readonly value: number;
}

/** One summary, for one set of attributes: count and sum since the start, and recent quantiles. */
export interface SummaryPoint {
  readonly attributes: MetricAttributes;
  readonly count: number;
  readonly sum: number;
  readonly quantiles: readonly { readonly quantile: number; readonly value: number }[];
}

interface MetricBase {
  /** Dotted, lowercase, without the unit: `sluice.operator.records.in`. */
  readonly name: string;
  readonly description: string;
  /** UCUM, as OpenTelemetry writes units: `s`, `By`, `1`, or an annotation like `{record}`. */
  readonly unit: string;
}

/**
 * A metric and its points. `counter`: a cumulative, monotonic sum (an OpenTelemetry Sum with
 * `isMonotonic`, a Prometheus counter); `gauge`: a value now; `summary`: quantiles.
 */
export type Metric =
  | (MetricBase & { readonly kind: 'counter' | 'gauge'; readonly points: readonly MetricPoint[] })
  | (MetricBase & { readonly kind: 'summary'; readonly points: readonly SummaryPoint[] });
