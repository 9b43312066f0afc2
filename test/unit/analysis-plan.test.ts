import { describe, expect, it } from 'vitest';
import { parseAnalysisInput, parseConfig } from '../../packages/shared/src/config.ts';
import { ExpeditorError, ProblemsError } from '../../packages/shared/src/errors.ts';
import { planAnalysis } from '../../packages/analysis/src/plan.ts';
import { fill, placeholderProblem } from '../../packages/analysis/src/template.ts';
import { metricQueries } from '../../packages/analysis/src/cloudwatch-metric.ts';
import { resultOf } from '../../packages/analysis/src/prometheus.ts';

const file = (analysis: string): string => `app: shop
image: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop }
environments:
  prod:
    aws: { account: "123456789012", region: us-west-2, role: "arn:aws:iam::123456789012:role/deploy" }
    eks: { cluster: prod, route: service }
    analysis:
${analysis
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
`;

function messages(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProblemsError) return error.problems.map((p) => p.message);
    if (error instanceof ExpeditorError) return [error.message];
    throw error;
  }
  throw new Error('expected problems');
}

describe('analysis settings', () => {
  it('reads every provider from the environment file, with defaults', () => {
    const config = parseConfig(
      file(`checks:
  - { name: alarms, provider: cloudwatch-alarm, alarms: ["{{service}}-5xx"], at: [pre, post] }
  - name: success-rate
    provider: prometheus
    address: http://prometheus:9090/
    query: sum(rate(http_requests_total{color="{{color}}",code!~"5.."}[1m])) / sum(rate(http_requests_total{color="{{color}}"}[1m]))
    success: result[0] >= 0.95
    interval: 5s
    count: 4
    failure-limit: 1
  - name: target-5xx
    provider: cloudwatch-metric
    metric: { namespace: AWS/ApplicationELB, name: HTTPCode_Target_5XX_Count, dimensions: { TargetGroup: "tg-{{color}}" }, stat: Sum }
    failure: result > 5
  - { name: health, provider: http, url: "https://shop.example.com/healthz", at: [step] }`),
      'expeditor.yml',
    );
    const checks = planAnalysis(config.environments.prod!.analysis!, { key: 'environments.prod.analysis' });
    expect(checks.map((c) => [c.name, c.at, c.intervalMs, c.limits.count, c.success?.text, c.failure?.text])).toEqual([
      ['alarms', ['pre', 'post'], 10_000, 3, 'result == 0', undefined],
      ['success-rate', ['pre', 'step', 'post'], 5000, 4, 'result[0] >= 0.95', undefined],
      ['target-5xx', ['pre', 'step', 'post'], 10_000, 3, undefined, 'result > 5'],
      ['health', ['step'], 10_000, 3, 'result >= 200 && result < 300', undefined],
    ]);
    expect(checks[1]!.limits).toEqual({ count: 4, failureLimit: 1, inconclusiveLimit: 0, consecutiveErrorLimit: 4 });
    expect(checks[1]!.source).toMatchObject({ provider: 'prometheus', address: 'http://prometheus:9090' });
    const metric = checks[2]!.source;
    if (metric.provider !== 'cloudwatch-metric') throw new Error('expected a metric');
    expect(metricQueries(metric, { color: 'green', service: 'shop', namespace: 'prod' })).toEqual([
      {
        Id: 'result',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/ApplicationELB',
            MetricName: 'HTTPCode_Target_5XX_Count',
            Dimensions: [{ Name: 'TargetGroup', Value: 'tg-green' }],
          },
          Period: 60,
          Stat: 'Sum',
        },
        ReturnData: true,
      },
    ]);
  });

  it('refuses what cannot be judged, naming the key of the file', () => {
    const config = parseConfig(
      file(`checks:
  - { name: a, provider: prometheus, address: "http://p:9090", query: "sum(rate(x[1m])", success: "result >=" }
  - { name: a, provider: cloudwatch-metric, metric: { namespace: N, name: M, period: 7, stat: Median } }
  - { name: c, provider: http, url: "http://x/{{colour}}", interval: 10ms }
  - { name: d, provider: cloudwatch-metric, expression: "errors / requestz", metrics: { errors: { namespace: N, name: E } }, success: "result < 1" }`),
      'expeditor.yml',
    );
    expect(messages(() => planAnalysis(config.environments.prod!.analysis!, { key: 'environments.prod.analysis' }))).toEqual([
      `environments.prod.analysis.checks.0.success: "result >=" cannot be parsed: Expected expression after >= at character 9`,
      'environments.prod.analysis.checks.0.query: cannot be parsed: ) missing at the end',
      'environments.prod.analysis.checks.1.name: another check is also named a: names must differ (they label the results)',
      'environments.prod.analysis.checks.1.success: is required for a cloudwatch-metric check (or give failure): without a condition every value would pass',
      'environments.prod.analysis.checks.1.metric.period: expected 1, 5, 10, 20, 30 or a multiple of 60 seconds, got 7',
      'environments.prod.analysis.checks.1.metric.stat: expected Average, Sum, Minimum, Maximum, SampleCount or a percentile such as p99, got Median',
      'environments.prod.analysis.checks.2.interval: expected a duration of at least 100ms, got 10ms',
      'environments.prod.analysis.checks.2.url: unknown placeholder {{colour}} (have: {{color}}, {{service}}, {{namespace}})',
      'environments.prod.analysis.checks.3.expression: names requestz, which metrics does not define (have: errors)',
    ]);
  });

  it('refuses an unknown provider and a missing field through the schema, with the key and line', () => {
    const problems = messages(() =>
      parseConfig(
        file(`checks:
  - { name: a, provider: datadog, query: x }
  - { name: b, provider: cloudwatch-alarm }`),
        'expeditor.yml',
      ),
    );
    expect(problems[0]).toMatch(/^expeditor.yml:9: environments\.prod\.analysis\.checks\.0\.provider: .*cloudwatch-alarm/);
    expect(problems[1]).toMatch(/^expeditor.yml:10: environments\.prod\.analysis\.checks\.1\.alarms: is required/);
  });

  it('takes the same section as an input, naming the input and the path in it', () => {
    const config = parseAnalysisInput('checks:\n  - { name: up, provider: http, url: "http://x/" }\n', 'analysis');
    expect(planAnalysis(config, { input: 'analysis' })[0]?.source).toEqual({ provider: 'http', url: 'http://x/', timeoutMs: 10_000 });
    expect(messages(() => parseAnalysisInput('checks:\n  - { name: up, provider: http }\n', 'analysis'))).toEqual([
      "input 'analysis': checks.0.url: is required (string)",
    ]);
    expect(messages(() => parseAnalysisInput('checks: [', 'analysis'))[0]).toMatch(/^input 'analysis': /);
    const bad = parseAnalysisInput(
      'checks:\n  - { name: up, provider: prometheus, address: "http://p", query: "up", success: "result >" }\n',
      'analysis',
    );
    expect(messages(() => planAnalysis(bad, { input: 'analysis' }))).toEqual([
      `input 'analysis': checks.0.success: "result >" cannot be parsed: Expected expression after > at character 8`,
    ]);
  });

  it('fills placeholders and refuses unknown ones', () => {
    expect(fill('{{service}}-{{ color }}-{{namespace}}', { color: 'green', service: 'shop', namespace: 'prod' })).toBe('shop-green-prod');
    expect(placeholderProblem('{{service}}')).toBeUndefined();
    expect(placeholderProblem('{{env}}')).toMatch(/unknown placeholder \{\{env\}\}/);
  });

  it('reads Prometheus results: a scalar as a number, a vector as a list', () => {
    expect(resultOf('scalar', [1, '0.97']).value).toBe(0.97);
    expect(
      resultOf('vector', [
        { metric: {}, value: [1, '0.5'] },
        { metric: {}, value: [1, 'NaN'] },
      ]).value,
    ).toEqual([0.5, Number.NaN]);
    expect(resultOf('vector', []).shown).toBe('no series (empty vector)');
    expect(() => resultOf('matrix', [])).toThrow(/not a scalar or a vector/);
  });
});
