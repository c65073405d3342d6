import { promqlGroupingLabels, promqlMetricNames } from './promql-names.js';

describe('promqlMetricNames', () => {
  it('finds a bare selector and one with matchers', () => {
    expect(promqlMetricNames('up')).toEqual(['up']);
    expect(promqlMetricNames('workqueue_depth{name="gateways", le!~"x|y"}')).toEqual(['workqueue_depth']);
  });

  it('skips functions, aggregations, by/without label lists and ranges', () => {
    expect(
      promqlMetricNames(
        'histogram_quantile(0.99, sum by (le, controller) (rate(controller_runtime_reconcile_time_seconds_bucket[$__rate_interval])))',
      ),
    ).toEqual(['controller_runtime_reconcile_time_seconds_bucket']);
    expect(promqlMetricNames('sum without (pod, instance) (rate(a_total[5m])) by (x)')).toEqual(['a_total']);
    expect(promqlMetricNames('topk(5, count_values("v", b))')).toEqual(['b']);
  });

  it('finds both sides of binary operators and vector matching', () => {
    expect(
      promqlMetricNames(
        'a_total / on (pod) group_left (node) b_info > bool 0.5 and c unless d or e offset 5m',
      ),
    ).toEqual(['a_total', 'b_info', 'c', 'd', 'e']);
    expect(promqlMetricNames('sum(rate(x_sum[1m])) / sum(rate(x_count[1m]))')).toEqual(['x_sum', 'x_count']);
  });

  it('ignores strings, labels that look like metrics, numbers, durations and Grafana variables', () => {
    expect(
      promqlMetricNames(
        'label_replace(m{a="not_a_metric {x}"}, "dst", "$1", "src", "(.*)") * 1e-3 + 0x1F + Inf - NaN + ${var:raw} + $other[1h30m:5m]',
      ),
    ).toEqual(['m']);
  });

  it('keeps recording-rule names with colons and reports each name once', () => {
    expect(promqlMetricNames('job:requests:rate5m + job:requests:rate5m')).toEqual(['job:requests:rate5m']);
  });

  it('refuses an expression with an unbalanced bracket or string', () => {
    expect(() => promqlMetricNames('sum(rate(a[5m))')).toThrow(/unbalanced '\['/);
    expect(() => promqlMetricNames('a{x="y}')).toThrow(/unterminated string/);
  });
});

describe('promqlGroupingLabels', () => {
  it('lists the labels of every grouping and matching clause once', () => {
    expect(
      promqlGroupingLabels(
        'sum by (le, controller) (rate(a_bucket[5m])) / on(controller) group_left (pod) sum without (x) (b{by="by (fake)"})',
      ),
    ).toEqual(['le', 'controller', 'pod', 'x']);
    expect(promqlGroupingLabels('sum(rate(a[5m]))')).toEqual([]);
  });
});
