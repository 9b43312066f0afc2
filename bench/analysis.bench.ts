// Analysis reaction time on the bed: how long from the moment a metric crosses its threshold to
// the moment traffic is back on the live color, for a check that measures every `interval`
// (route service in its post window, read from the Service's selector; route ingress in canary
// step 1 of 50/100, read from the Ingress path's backend). Once traffic is on green, the bench
// waits a random part of an interval (so the crossing falls anywhere between two measurements), then
//  - prometheus: sets green's success-rate gauge below the threshold (Debian's Prometheus scrapes
//    the bed's exporter every 200 ms, so the scrape is part of the figure, as on a real server);
//  - cloudwatch-alarm: sets the alarm to ALARM in moto (SetAlarmState);
// and reads the Service or the Ingress every 10 ms until traffic is on blue again (that read's
// resolution is in the figure too). Goal: p95 ≤ interval + 2 s.
//
// ECS (CodeDeploy blue/green, bench/analysis-ecs.ts), on the bed's moto with its CodeDeploy
// extension: deploy-ecs leaves a deployment held at Ready (wait-until: ready, a termination wait of
// 60 AWS minutes), then the switch runs with one check that never ends by itself — in the post
// window (the termination wait, all-at-once config), or as a step check while
// CodeDeployDefault.ECSCanary10Percent5Minutes stands at 10% — from a source that is
//  - cloudwatch-alarm: an alarm in moto, set to ALARM (SetAlarmState);
//  - http: a server standing in for green's listener, which starts answering 503.
// Once traffic is on green as the bed knows it (post: the deployment's trafficShifted mark; step:
// green's traffic weight at 10% in GetDeploymentTarget), the bench waits a random part of an
// interval, then turns the source bad at t0 — for the alarm the instant the bed applied
// SetAlarmState (its call log), for http the instant the server flips. t1 is the instant the bed
// marks the rollback deployment's traffic shift done (`marks` control: codedeploy[id].rolledBackBy,
// then that deployment's trafficShifted), on the bed's clock, so it does not depend on polling.
// The delay t0 → t1 has two parts, printed apart:
//  - detection, the action's: t0 → the StopDeployment request as the bed saw it (its call log):
//    the wait for the next measurement, the measurement, and the rollback's GetDeployment;
//  - CodeDeploy's stop and rollback, simulated by the bed (its TIMING in AWS seconds, divided by its
//    speed factor): cdStop, then a rollback deployment that runs cdStart, BeforeAllowTraffic
//    (cdNoHook), AllowTraffic (cdAllAtOnce) and AfterAllowTraffic (cdNoHook) — 8 AWS seconds,
//    ~270 ms at the bed's ÷30. In AWS that part is CodeDeploy's own and takes the full seconds.
// The canary step stands 5 AWS minutes: for the 5 s interval the bed runs slower (÷15 instead of
// ÷30) so the step still stands when the check fails; the simulated rollback is longer there.
// The action polls CodeDeploy every 100–400 ms on the bed (as the ECS e2e tests).
//
// EXPEDITOR_BENCH_RUNS runs per case (default 7, at least 5); EXPEDITOR_BENCH_INTERVALS (default "1s,5s");
// EXPEDITOR_BENCH_ANALYSIS the platforms (default "eks,ecs"; "ecs" starts moto alone).
import { setTimeout as delay } from 'node:timers/promises';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { createAlarm, setAlarm } from '../test/e2e/switch-eks-analysis-bed.ts';
import { startBed } from '../test/bed/index.ts';
import { memoryLog } from '../packages/shared/src/log.ts';
import { parseDuration } from '../packages/shared/src/deadline.ts';
import type { AnalysisConfig } from '../packages/shared/src/config.ts';
import { planAnalysis } from '../packages/analysis/src/plan.ts';
import { eksSwitch } from '../actions/bluegreen-switch/src/eks/switch.ts';
import type { EksSwitchOptions } from '../actions/bluegreen-switch/src/eks/types.ts';
import type { Moment } from '../packages/analysis/src/plan.ts';
import { bedside, options, setUpColors, type Colors } from '../test/e2e/switch-eks-bed.ts';
import { median, ms, percentile, printTable, runs } from './stats.ts';
import { ecsReactionRows } from './analysis-ecs.ts';

const count = runs(7);
const intervals = (process.env.EXPEDITOR_BENCH_INTERVALS ?? '1s,5s').split(',').map((t) => t.trim());
const platforms = new Set((process.env.EXPEDITOR_BENCH_ANALYSIS ?? 'eks,ecs').split(',').map((t) => t.trim()));

// The EKS part needs the cluster and Prometheus; the ECS part moto alone.
const parts: ('moto' | 'k8s' | 'prometheus')[] = platforms.has('eks') ? ['moto', 'k8s', 'prometheus'] : ['moto'];
const bed = await startBed(parts);
try {
  const cloudwatch = new CloudWatchClient(bed.moto.clientConfig());
  if (platforms.has('eks')) {
    const b = await bedside(bed.k8s);
    const selects = async (c: Colors): Promise<string | undefined> =>
      (await b.connection.core.readNamespacedService({ namespace: c.ns, name: c.svc })).spec?.selector?.version;
    const pathBackend = async (c: Colors): Promise<string | undefined> => {
      const ingress = await b.connection.networking.readNamespacedIngress({ namespace: c.ns, name: c.ingress });
      return ingress.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name;
    };

    /** Where traffic moves and how the bench sees it: the moment the check runs at, target reached, back on live. */
    interface Route {
      name: string;
      ingress: boolean;
      options: (c: Colors) => Partial<EksSwitchOptions>;
      at: Moment;
      onTarget: (c: Colors) => Promise<boolean>;
      backOnLive: (c: Colors) => Promise<boolean>;
    }
    const routes: Route[] = [
      {
        name: 'service, post window',
        ingress: false,
        options: () => ({}),
        at: 'post',
        onTarget: async (c) => (await selects(c)) === 'green',
        backOnLive: async (c) => (await selects(c)) === 'blue',
      },
      {
        name: 'canary step 1 of 50/100',
        ingress: true,
        options: (c) => ({ route: 'ingress', ingress: c.ingress, canary: [50, 100] }),
        at: 'step',
        onTarget: async (c) => (await pathBackend(c)) === `${c.svc}-canary`,
        backOnLive: async (c) => (await pathBackend(c)) === `${c.svc}-blue`,
      },
    ];

    /** One run: switch with a check that never ends by itself, cross the threshold, time until traffic is back on blue. */
    async function reaction(
      route: Route,
      intervalMs: number,
      check: (c: Colors) => Promise<{ check: AnalysisConfig['checks'][number]; cross: () => Promise<void> }>,
    ): Promise<number> {
      const c = await setUpColors(b, { ingress: route.ingress });
      const { check: config, cross } = await check(c);
      const analysis = planAnalysis({ checks: [{ ...config, at: [route.at], count: 1000 }] }, { input: 'analysis' });
      const result = eksSwitch(options(c, { analysis, ...route.options(c) }), {
        kube: b.kube,
        log: memoryLog(),
        signal: new AbortController().signal,
        cloudwatch: () => cloudwatch,
      }).then(
        () => {
          throw new Error('the switch passed its analysis: the threshold was never seen crossed');
        },
        () => undefined,
      );
      while (!(await route.onTarget(c))) await delay(10);
      await delay(Math.random() * intervalMs);
      const crossed = performance.now();
      await cross();
      while (!(await route.backOnLive(c))) await delay(10);
      const back = performance.now() - crossed;
      await result;
      await b.connection.core.deleteNamespace({ name: c.ns });
      return back;
    }

    let alarms = 0;
    const cases: { name: string; check: (c: Colors, interval: string) => ReturnType<Parameters<typeof reaction>[2]> }[] = [
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
    for (const route of routes) {
      for (const interval of intervals) {
        const intervalMs = parseDuration(interval) ?? 1000;
        for (const k of cases) {
          const times: number[] = [];
          for (let i = 0; i < count; i++) times.push(await reaction(route, intervalMs, (c) => k.check(c, interval)));
          const p95 = percentile(times, 95);
          rows.push([
            `${route.name}: ${k.name}, interval ${interval}`,
            count,
            ms(median(times)),
            ms(p95),
            ms(Math.max(...times)),
            ms(intervalMs + 2000),
            p95 <= intervalMs + 2000 ? 'met' : 'MISSED',
          ]);
        }
      }
    }
    printTable(
      'Analysis: threshold crossed → traffic back on the live color (bed: kube-apiserver, Debian Prometheus scraping every 200 ms, moto CloudWatch)',
      ['case', 'runs', 'p50', 'p95', 'max', 'goal p95 ≤', 'goal'],
      rows,
    );
  }
  if (platforms.has('ecs')) {
    const { rows, notes } = await ecsReactionRows(bed.moto, cloudwatch, count, intervals);
    printTable(
      "Analysis on ECS: source bad (t0) → production traffic back on blue (t1, the bed's mark); detection = t0 → StopDeployment seen by the bed (bed: moto with its CodeDeploy extension, moto CloudWatch)",
      [
        'case',
        'runs',
        'detect p50',
        'detect p95',
        'back p50',
        'back p95',
        'back max',
        'CodeDeploy rollback p50 (nominal)',
        'goal p95 ≤',
        'goal',
      ],
      rows,
    );
    for (const note of notes) console.log(note);
  }
} finally {
  await bed.stop();
}
