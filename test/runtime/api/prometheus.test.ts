import { describe, expect, it } from 'vitest';
import { createDaemonMetrics } from '../../../src/runtime/api/metrics.js';
import { createRegistry, escapeLabel, labelText } from '../../../src/runtime/api/prometheus.js';

describe('Prometheus text format', () => {
  it('renders counters, gauges and histograms with HELP/TYPE, sorted series and cumulative buckets', () => {
    const r = createRegistry();
    const c = r.counter('x_total', 'Things.');
    const g = r.gauge('x_pods', 'Pods.');
    const h = r.histogram('x_seconds', 'Durations.', [1, 0.1]);
    c.inc({ result: 'ok' });
    c.inc({ result: 'failed' }, 2);
    c.inc({ result: 'ok' });
    g.set(3);
    h.observe(0.05);
    h.observe(0.5);
    h.observe(7);
    expect(r.render()).toBe(
      [
        '# HELP x_total Things.',
        '# TYPE x_total counter',
        'x_total{result="failed"} 2',
        'x_total{result="ok"} 2',
        '# HELP x_pods Pods.',
        '# TYPE x_pods gauge',
        'x_pods 3',
        '# HELP x_seconds Durations.',
        '# TYPE x_seconds histogram',
        'x_seconds_bucket{le="0.1"} 1',
        'x_seconds_bucket{le="1"} 2',
        'x_seconds_bucket{le="+Inf"} 3',
        'x_seconds_sum 7.55',
        'x_seconds_count 3',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values and puts le last', () => {
    expect(escapeLabel('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(labelText({ le: '1', b: 'x', a: 'y' })).toBe('{a="y",b="x",le="1"}');
    expect(labelText({})).toBe('');
  });

  it('refuses bad names, duplicate families and counters going down', () => {
    const r = createRegistry();
    expect(() => r.counter('1bad', 'x')).toThrow();
    r.counter('ok_total', 'x');
    expect(() => r.gauge('ok_total', 'x')).toThrow();
    expect(() => r.counter('y_total', 'y').inc({}, -1)).toThrow();
    expect(() => labelText({ 'bad-label': 'x' })).toThrow();
  });

  it('the daemon exports berth_ metrics; the revision info metric holds one series', () => {
    const m = createDaemonMetrics();
    m.setLastApplied('aaa');
    m.setLastApplied('bbb');
    m.syncs.inc({ result: 'synced' });
    const text = m.registry.render();
    expect(text).toContain('berth_last_applied_revision_info{revision="bbb"} 1');
    expect(text).not.toContain('revision="aaa"');
    for (const name of ['berth_reconcile_duration_seconds', 'berth_syncs_total', 'berth_drift_detections_total', 'berth_managed_pods', 'berth_source_fetch_errors_total'])
      expect(text).toContain(`# TYPE ${name} `);
    expect(text.split('\n').filter((l) => l && !l.startsWith('#')).every((l) => l.startsWith('berth_'))).toBe(true);
  });
});
