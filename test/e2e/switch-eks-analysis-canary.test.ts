// Prometheus checks around the EKS switch, on the bed's apiserver and Debian's Prometheus scraping
// an exporter the test controls: a canary whose success rate drops once the target has 50 % of
// the traffic goes back to the live color at step 2; a clean canary passes every check at pre,
// each step and post; a Prometheus that stops answering in the post window is inconclusive — the
// switch is rolled back, never passed; a query the server cannot parse is refused before anything moves.
import { describe, expect, it } from 'vitest';
import type { V1Ingress } from '@kubernetes/client-node';
import { useBed } from '../bed/vitest.ts';
import { startBed } from '../bed/index.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import type { AnalysisConfig } from '../../packages/shared/src/config.ts';
import { planAnalysis } from '../../packages/analysis/src/plan.ts';
import type { Evaluation } from '../../packages/analysis/src/run.ts';
import { eksSwitch } from '../../actions/bluegreen-switch/src/eks/switch.ts';
import type { EksSwitchOptions } from '../../actions/bluegreen-switch/src/eks/types.ts';
import { options, setUpColors } from './switch-eks-bed.ts';
import { failure, useSwitchEks } from './switch-eks-fixture.ts';

const bed = useBed(['k8s', 'prometheus']);
const { b, stable, readIngress } = useSwitchEks(bed);
const actionKey = 'alb.ingress.kubernetes.io/actions.shop-canary';

function runWithAnalysis(opts: EksSwitchOptions) {
  const log = memoryLog();
  const evaluations: Evaluation[] = [];
  const result = eksSwitch(opts, { kube: b.kube, log, signal: new AbortController().signal, evaluations });
  return { log, evaluations, result };
}

const checks = (list: AnalysisConfig['checks']) => planAnalysis({ checks: list }, { input: 'analysis' });

/** Green's weight in the Ingress's forward action now (100 once the path is on shop-green alone). */
function greenWeight(ingress: V1Ingress): number {
  const text = ingress.metadata?.annotations?.[actionKey];
  if (!text) return ingress.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name === 'shop-green' ? 100 : 0;
  const groups = (JSON.parse(text) as { forwardConfig: { targetGroups: { serviceName: string; weight: number }[] } }).forwardConfig
    .targetGroups;
  return groups.find((g) => g.serviceName === 'shop-green')?.weight ?? 0;
}

const successRate = (address: string, extra: Partial<AnalysisConfig['checks'][number]> = {}): AnalysisConfig['checks'][number] =>
  ({
    name: 'success-rate',
    provider: 'prometheus',
    address,
    query: `bed_success_ratio{service="{{service}}",color="{{color}}",namespace="{{namespace}}"}`,
    success: 'result[0] >= 0.95',
    interval: '200ms',
    ...extra,
  }) as AnalysisConfig['checks'][number];

describe('prometheus checks on the EKS switch', () => {
  it('a canary whose success rate drops at step 2 goes back to the live color, the run failing at that step', async () => {
    const c = await setUpColors(b, { ingress: true });
    // The rate as the application would show it: healthy while green has little traffic, not at 50 %.
    bed.prometheus.set('bed_success_ratio', { service: 'shop', color: 'green', namespace: c.ns }, async () =>
      greenWeight(await readIngress(c)) >= 50 ? 0.5 : 0.99,
    );
    await bed.prometheus.scraped('bed_success_ratio', { service: 'shop', color: 'green', namespace: c.ns }, 0.99);
    const { result, evaluations } = runWithAnalysis(
      options(c, {
        route: 'ingress',
        ingress: c.ingress,
        canary: [10, 50, 100],
        // A failed measurement ends the step at once; a passing step measures count times.
        analysis: checks([successRate(bed.prometheus.url, { at: ['step'], count: 20 })]),
      }),
    );
    const error = await failure(result);
    expect(error.message).toBe(
      'canary step 2 of 3 (50% to green) failed its health check: check success-rate failed: 1 failed measurement (limit 0); last: [0.5]: result[0] >= 0.95 is false; traffic is back on blue (100%)',
    );
    const after = await readIngress(c);
    expect(after.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name).toBe('shop-blue');
    expect(after.metadata?.annotations?.[actionKey]).toBeUndefined();
    // Step 1 passed all its measurements; step 2 read the old rate until a scrape saw 50 %, then failed.
    const step1 = evaluations.filter((e) => e.label === 'step 1 of 3, 10%');
    expect(step1.map((e) => e.verdict)).toEqual(Array(20).fill('passed'));
    const step2 = evaluations.filter((e) => e.label === 'step 2 of 3, 50%');
    expect(step2.at(-1)).toMatchObject({ value: '[0.5]', verdict: 'failed', condition: 'success: result[0] >= 0.95' });
    expect(evaluations.some((e) => e.label === 'step 3 of 3, 100%')).toBe(false);
  });

  it('a clean canary passes every check at pre, each step and post', async () => {
    const c = await setUpColors(b, { ingress: true });
    bed.prometheus.set('bed_success_ratio', { service: 'shop', color: 'green', namespace: c.ns }, 0.99);
    await bed.prometheus.scraped('bed_success_ratio', { service: 'shop', color: 'green', namespace: c.ns }, 0.99);
    const { result, evaluations, log } = runWithAnalysis(
      options(c, {
        route: 'ingress',
        ingress: c.ingress,
        canary: [10, 50, 100],
        analysis: checks([successRate(bed.prometheus.url, { count: 2 })]),
      }),
    );
    const r = await result;
    expect(r).toMatchObject({ from: 'blue', to: 'green', switched: true });
    expect(r.canarySteps?.map((s) => [s.weight, s.outcome, s.detail])).toEqual([
      [10, 'passed', 'green ready; analysis passed'],
      [50, 'passed', 'green ready; analysis passed'],
      [100, 'passed', 'green ready; analysis passed'],
    ]);
    expect(evaluations.map((e) => `${e.moment}${e.label ? ` ${e.label}` : ''}: ${e.value} ${e.verdict}`)).toEqual([
      'pre: [0.99] passed',
      'pre: [0.99] passed',
      'step step 1 of 3, 10%: [0.99] passed',
      'step step 1 of 3, 10%: [0.99] passed',
      'step step 2 of 3, 50%: [0.99] passed',
      'step step 2 of 3, 50%: [0.99] passed',
      'step step 3 of 3, 100%: [0.99] passed',
      'step step 3 of 3, 100%: [0.99] passed',
      'post: [0.99] passed',
      'post: [0.99] passed',
    ]);
    expect(log.lines.join('\n')).toMatch(/post analysis passed/);
    expect((await readIngress(c)).spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name).toBe('shop-green');
  });

  it('a plain Ingress switch whose success rate drops in the post window goes back to the live color', async () => {
    const c = await setUpColors(b, { ingress: true });
    const labels = { service: 'shop', color: 'green', namespace: c.ns };
    bed.prometheus.set('bed_success_ratio', labels, 0.99);
    await bed.prometheus.scraped('bed_success_ratio', labels, 0.99);
    const before = await readIngress(c);
    const { result, evaluations } = runWithAnalysis(
      options(c, {
        route: 'ingress',
        ingress: c.ingress,
        analysis: checks([successRate(bed.prometheus.url, { at: ['post'], count: 1000 })]),
      }),
    );
    while (greenWeight(await readIngress(c)) !== 100) await new Promise((r) => setTimeout(r, 50));
    bed.prometheus.set('bed_success_ratio', labels, 0.4);
    const error = await failure(result);
    expect(error.message).toBe(
      'the analysis of green after the switch did not pass: check success-rate failed: 1 failed measurement (limit 0); last: [0.4]: result[0] >= 0.95 is false; traffic is back on blue (100%)',
    );
    const after = await readIngress(c);
    expect(after.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name).toBe('shop-blue');
    expect(after.spec?.rules?.[0]?.http?.paths[1]?.backend.service?.name).toBe('admin');
    expect(after.metadata?.annotations?.['expeditor.dev/previous-color']).toBe(
      before.metadata?.annotations?.['expeditor.dev/previous-color'],
    );
    expect(evaluations.at(-1)).toMatchObject({ moment: 'post', value: '[0.4]', verdict: 'failed' });
  });

  it('a Prometheus that stops answering in the post window is inconclusive: the selector goes back, the run fails', async () => {
    const c = await setUpColors(b);
    // A Prometheus of this test's own, stopped once the selector has moved.
    const own = await startBed(['prometheus']);
    try {
      own.prometheus.set('bed_success_ratio', { service: 'shop', color: 'green', namespace: c.ns }, 0.99);
      await own.prometheus.scraped('bed_success_ratio', { service: 'shop', color: 'green', namespace: c.ns }, 0.99);
      const { result, evaluations } = runWithAnalysis(
        options(c, {
          analysis: checks([successRate(own.prometheus.url, { at: ['post'], count: 1000, 'consecutive-error-limit': 1 })]),
        }),
      );
      while ((await stable(c)).spec?.selector?.version !== 'green') await new Promise((r) => setTimeout(r, 50));
      await own.stop();
      const error = await failure(result);
      expect(error.message).toMatch(
        /^the analysis of green after the switch did not pass: check success-rate was inconclusive \(its source did not answer\): inconclusive: 2 measurements in a row could not be taken \(limit 1\); last: the source did not answer: Prometheus at http:\/\/127\.0\.0\.1:\d+\/ did not answer: ECONNREFUSED; rolled back: Service shop selects blue again/,
      );
      expect((await stable(c)).spec?.selector?.version).toBe('blue');
      expect(evaluations.slice(-2).map((e) => e.verdict)).toEqual(['error', 'error']);
    } finally {
      await own.stop();
    }
  });

  it('a query Prometheus cannot parse is refused before anything moves, naming the key', async () => {
    const c = await setUpColors(b);
    const rv = (await stable(c)).metadata?.resourceVersion;
    const { result } = runWithAnalysis(
      options(c, { analysis: checks([successRate(bed.prometheus.url, { query: 'sum by (color) (bed_success_ratio offset 1x)' })]) }),
    );
    const error = await failure(result);
    expect(error.message).toMatch(/^input 'analysis': checks\.0\.query: Prometheus answered 400 bad_data: /);
    expect(error.unchanged).toBe('nothing was changed');
    expect((await stable(c)).metadata?.resourceVersion).toBe(rv);
  });
});
