// Analysis reaction time on the bed: how long from the moment a metric crosses its threshold to
// the moment traffic is back on the live color. Route service, a post window whose one check
// measures every `interval`; once the selector is on green, the bench waits a random part of an
// interval (so the crossing falls anywhere between two measurements), then
//  - prometheus: sets green's success-rate gauge below the threshold (Debian's Prometheus scrapes
//    the bed's exporter every 200 ms, so the scrape is part of the figure, as on a real server);
//  - cloudwatch-alarm: sets the alarm to ALARM in moto (SetAlarmState);
// and reads the stable Service every 10 ms until it selects blue again (that read's resolution
// is in the figure too). Goal: p95 ≤ interval + 2 s.
// EXPEDITOR_BENCH_RUNS runs per case (default 7, at least 5); EXPEDITOR_BENCH_INTERVALS (default "1s,5s").
import { setTimeout as delay } from 'node:timers/promises';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { createAlarm, setAlarm } from '../test/e2e/switch-eks-analysis-bed.ts';
import { startBed } from '../test/bed/index.ts';
import { memoryLog } from '../packages/shared/src/log.ts';
import { parseDuration } from '../packages/shared/src/deadline.ts';
import type { AnalysisConfig } from '../packages/shared/src/config.ts';
import { planAnalysis } from '../packages/analysis/src/plan.ts';
import { eksSwitch } from '../actions/bluegreen-switch/src/eks/switch.ts';
import { bedside, options, setUpColors, type Colors } from '../test/e2e/switch-eks-bed.ts';
import { median, ms, percentile, printTable, runs } from './stats.ts';

const count = runs(7);
const intervals = (process.env.EXPEDITOR_BENCH_INTERVALS ?? '1s,5s').split(',').map((t) => t.trim());

const bed = await startBed(['moto', 'k8s', 'prometheus']);
try {
  const b = await bedside(bed.k8s);
  const cloudwatch = new CloudWatchClient(bed.moto.clientConfig());
  const selects = async (c: Colors): Promise<string | undefined> =>
    (await b.connection.core.readNamespacedService({ namespace: c.ns, name: c.svc })).spec?.selector?.version;

  /** One run: switch with a post check, cross the threshold, time until the selector is back on blue. */
  async function reaction(
    intervalMs: number,
    check: (c: Colors) => Promise<{ check: AnalysisConfig['checks'][number]; cross: () => Promise<void> }>,
  ): Promise<number> {
    const c = await setUpColors(b);
    const { check: config, cross } = await check(c);
    const analysis = planAnalysis({ checks: [{ ...config, at: ['post'], count: 1000 }] }, { input: 'analysis' });
    const result = eksSwitch(options(c, { analysis }), {
      kube: b.kube,
      log: memoryLog(),
      signal: new AbortController().signal,
      cloudwatch: () => cloudwatch,
    }).then(
      () => {
        throw new Error('the switch passed its post window: the threshold was never seen crossed');
      },
      () => undefined,
    );
    while ((await selects(c)) !== 'green') await delay(10);
    await delay(Math.random() * intervalMs);
    const crossed = performance.now();
    await cross();
    while ((await selects(c)) !== 'blue') await delay(10);
    const back = performance.now() - crossed;
    await result;
    await b.connection.core.deleteNamespace({ name: c.ns });
    return back;
  }

  let alarms = 0;
  const cases: { name: string; check: (c: Colors, interval: string) => ReturnType<Parameters<typeof reaction>[1]> }[] = [
    {
      name: 'prometheus',
      check: async (c, interval) => {
        const labels = { service: c.svc, color: 'green', namespace: c.ns };
        bed.prometheus.set('bed_success_ratio', labels, 0.99);
        await bed.prometheus.scraped('bed_success_ratio', labels, 0.99);
        return {
          check: {
            name: 'success-rate',
            provider: 'prometheus',
            address: bed.prometheus.url,
            query: 'bed_success_ratio{service="{{service}}",color="{{color}}",namespace="{{namespace}}"}',
            success: 'result[0] >= 0.95',
            interval,
          },
          cross: async () => bed.prometheus.set('bed_success_ratio', labels, 0.5),
        };
      },
    },
    {
      name: 'cloudwatch-alarm',
      check: async (_c, interval) => {
        const name = await createAlarm(cloudwatch, `bench-5xx-${++alarms}`);
        return {
          check: { name: 'alarms', provider: 'cloudwatch-alarm', alarms: [name], interval },
          cross: () => setAlarm(cloudwatch, name, 'ALARM'),
        };
      },
    },
  ];

  const rows: (string | number)[][] = [];
  for (const interval of intervals) {
    const intervalMs = parseDuration(interval) ?? 1000;
    for (const k of cases) {
      const times: number[] = [];
      for (let i = 0; i < count; i++) times.push(await reaction(intervalMs, (c) => k.check(c, interval)));
      const p95 = percentile(times, 95);
      rows.push([
        `${k.name}, interval ${interval}`,
        count,
        ms(median(times)),
        ms(p95),
        ms(Math.max(...times)),
        ms(intervalMs + 2000),
        p95 <= intervalMs + 2000 ? 'met' : 'MISSED',
      ]);
    }
  }
  printTable(
    'Analysis: threshold crossed → traffic back on the live color (route service, post window; bed: kube-apiserver, Debian Prometheus scraping every 200 ms, moto CloudWatch)',
    ['case', 'runs', 'p50', 'p95', 'max', 'goal p95 ≤', 'goal'],
    rows,
  );
} finally {
  await bed.stop();
}
