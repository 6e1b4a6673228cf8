import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { prometheusName, toPrometheus, type Metric } from '../../src/index.js';

/** A sample line of the text format: name, optional labels, value. */
const SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\\\|\\"|\\n|[^"\\\n])*",?)*\})? (NaN|[+-]Inf|-?\d+(\.\d+)?(e[+-]?\d+)?)$/;

describe('prometheusName', () => {
  it('follows the OpenTelemetry compatibility rules: underscores, unit suffixes, _total on counters', () => {
    expect(prometheusName({ name: 'sluice.actor.restarts', unit: '{restart}', kind: 'counter' })).toBe('sluice_actor_restarts_total');
    expect(prometheusName({ name: 'sluice.pipeline.checkpoint.duration', unit: 's', kind: 'gauge' })).toBe('sluice_pipeline_checkpoint_duration_seconds');
    expect(prometheusName({ name: 'sluice.pipeline.checkpoint.size', unit: 'By', kind: 'gauge' })).toBe('sluice_pipeline_checkpoint_size_bytes');
    expect(prometheusName({ name: 'sluice.pipeline.up', unit: '1', kind: 'gauge' })).toBe('sluice_pipeline_up_ratio');
    expect(prometheusName({ name: 'http.requests', unit: '1', kind: 'counter' })).toBe('http_requests_total');
    expect(prometheusName({ name: 'sluice.pipeline.throughput', unit: '{record}/s', kind: 'gauge' })).toBe('sluice_pipeline_throughput_per_second');
    expect(prometheusName({ name: 'already_seconds', unit: 's', kind: 'gauge' })).toBe('already_seconds');
    expect(prometheusName({ name: 'app.errors_total', unit: '{error}', kind: 'counter' })).toBe('app_errors_total');
    expect(prometheusName({ name: '9lives-x', unit: '', kind: 'gauge' })).toBe('_9lives_x');
  });
});

describe('toPrometheus', () => {
  it('writes HELP, TYPE and one line per point, labels from attributes', () => {
    const metrics: Metric[] = [
      {
        name: 'sluice.actor.restarts',
        kind: 'counter',
        unit: '{restart}',
        description: 'Times the actor was restarted.',
        points: [
          { attributes: { 'sluice.actor.path': '/user/a' }, value: 2 },
          { attributes: { 'sluice.actor.path': '/user/b' }, value: 0 },
        ],
      },
      { name: 'queue.depth', kind: 'gauge', unit: '{message}', description: 'Depth.', points: [{ attributes: {}, value: 7 }] },
    ];
    expect(toPrometheus(metrics)).toBe(
      [
        '# HELP sluice_actor_restarts_total Times the actor was restarted.',
        '# TYPE sluice_actor_restarts_total counter',
        'sluice_actor_restarts_total{sluice_actor_path="/user/a"} 2',
        'sluice_actor_restarts_total{sluice_actor_path="/user/b"} 0',
        '# HELP queue_depth Depth.',
        '# TYPE queue_depth gauge',
        'queue_depth 7',
        '',
      ].join('\n'),
    );
  });

  it('writes a summary as quantile lines, _sum and _count', () => {
    const text = toPrometheus([
      {
        name: 'op.duration',
        kind: 'summary',
        unit: 's',
        description: 'Batch time.',
        points: [
          {
            attributes: { op: 'reduce' },
            count: 4,
            sum: 0.5,
            quantiles: [
              { quantile: 0.5, value: 0.1 },
              { quantile: 0.99, value: 0.2 },
            ],
          },
        ],
      },
    ]);
    expect(text).toBe(
      [
        '# HELP op_duration_seconds Batch time.',
        '# TYPE op_duration_seconds summary',
        'op_duration_seconds{op="reduce",quantile="0.5"} 0.1',
        'op_duration_seconds{op="reduce",quantile="0.99"} 0.2',
        'op_duration_seconds_sum{op="reduce"} 0.5',
        'op_duration_seconds_count{op="reduce"} 4',
        '',
      ].join('\n'),
    );
  });

  it('merges metrics of one name into one family, and escapes label values and help text', () => {
    const gauge = (value: number, label: string): Metric => ({
      name: 'g',
      kind: 'gauge',
      unit: '',
      description: 'a\\b\nc',
      points: [{ attributes: { l: label }, value }],
    });
    const text = toPrometheus([gauge(1, 'x"y'), gauge(Infinity, 'back\\slash\nnewline'), gauge(Number.NaN, '')]);
    expect(text.match(/# TYPE g gauge/g)).toHaveLength(1);
    expect(text).toContain('# HELP g a\\\\b\\nc\n');
    expect(text).toContain('g{l="x\\"y"} 1\n');
    expect(text).toContain('g{l="back\\\\slash\\nnewline"} +Inf\n');
    expect(text).toContain('g{l=""} NaN\n');
  });

  test.prop([
    fc.array(
      fc.record({
        name: fc.string({ minLength: 1, maxLength: 12 }),
        kind: fc.constantFrom('counter' as const, 'gauge' as const),
        unit: fc.constantFrom('s', 'By', '1', '{record}', '{record}/s', ''),
        description: fc.string(),
        points: fc.array(fc.record({ attributes: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.string()), value: fc.double() }), {
          maxLength: 3,
        }),
      }),
      { maxLength: 5 },
    ),
  ])('always writes lines of the text format, with each family declared once', (metrics) => {
    const text = toPrometheus(metrics);
    const declared = new Set<string>();
    for (const line of text.split('\n').slice(0, -1)) {
      if (line.startsWith('# TYPE ')) {
        const family = line.split(' ')[2] as string;
        expect(declared.has(family), family).toBe(false);
        declared.add(family);
      } else if (!line.startsWith('# HELP ')) {
        expect(line).toMatch(SAMPLE);
      }
    }
  });
});
