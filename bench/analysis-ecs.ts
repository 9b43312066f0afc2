// The ECS part of bench/analysis.bench.ts: how long from a check's source turning bad to
// production traffic back on blue, for the ECS switch on the bed's moto and its CodeDeploy
// extension (test/bed/moto/bed_codedeploy.py). The header of analysis.bench.ts says what t0 and
// t1 are and which part of the delay is the action's and which CodeDeploy's (the bed's TIMING).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetDeploymentTargetCommand } from '@aws-sdk/client-codedeploy';
import type { MotoPart } from '../test/bed/types.ts';
import { createAlarm, setAlarm } from '../test/e2e/switch-eks-analysis-bed.ts';
import {
  blueGreenService,
  blueGreenTarget,
  callsOf,
  clientsFor,
  digestImage,
  planFrom,
  type BlueGreenFixture,
} from '../test/e2e/deploy-ecs-bed.ts';
import { memoryLog } from '../packages/shared/src/log.ts';
import { parseDuration } from '../packages/shared/src/deadline.ts';
import type { AnalysisConfig } from '../packages/shared/src/config.ts';
import { planAnalysis, type Moment } from '../packages/analysis/src/plan.ts';
import { deployEcs } from '../actions/deploy-ecs/src/deploy.ts';
import { switchEcs } from '../actions/bluegreen-switch/src/ecs/ecs-switch.ts';
import { median, ms, percentile } from './stats.ts';

/** The action's polling on the bed (as the ECS e2e tests use it): the bed runs AWS's durations 30 times faster. */
const timing = { minIntervalMs: 100, maxIntervalMs: 400, factor: 1.5 };
const canaryConfig = 'CodeDeployDefault.ECSCanary10Percent5Minutes';

type Marks = Record<string, { trafficShifted?: number; rolledBackBy?: string; stopped?: number }>;

/** One run's instants, in epoch ms: t0 the source turned bad, the StopDeployment the bed saw, t1 traffic back on blue. */
export interface EcsSample {
  detection: number;
  back: number;
  /** t1 − StopDeployment: CodeDeploy's simulated stop and rollback. */
  rollback: number;
}

/** Where the check runs, and when traffic is on green as the bed knows it. */
interface Route {
  name: string;
  at: Moment;
  config: string | undefined;
  /** The bed's speed factor for this route (AWS durations ÷ factor); undefined: the bed's default. */
  factor: (intervalMs: number) => number | undefined;
  onTarget: (fx: BlueGreenFixture, id: string) => Promise<boolean>;
}

/** A check's source and how to turn it bad: `cross` resolves with t0 (epoch ms). */
interface Source {
  name: string;
  set: (
    fx: BlueGreenFixture,
    interval: string,
  ) => Promise<{ check: AnalysisConfig['checks'][number]; cross: () => Promise<number>; close?: () => Promise<void> }>;
}

/** The CodeDeploy durations (AWS seconds) and the bed's speed factor. */
interface Speed {
  factor: number;
  timing: Record<string, number>;
}

/** Nominal CodeDeploy time from the StopDeployment request to the rollback's trafficShifted mark, at `factor`. */
function nominalRollbackMs(speed: Speed, factor = speed.factor): number {
  const t = speed.timing;
  // stop takes effect; the rollback deployment starts; BeforeAllowTraffic, AllowTraffic, AfterAllowTraffic (no hooks).
  const seconds = (t.cdStop ?? 0) + (t.cdStart ?? 0) + (t.cdNoHook ?? 0) + (t.cdAllAtOnce ?? 0) + (t.cdNoHook ?? 0);
  return (seconds / factor) * 1000;
}

export async function ecsReactionRows(
  moto: MotoPart,
  cloudwatch: CloudWatchClient,
  count: number,
  intervals: readonly string[],
): Promise<{ rows: (string | number)[][]; notes: string[] }> {
  const clients = clientsFor(moto);
  const speed = await moto.control<Speed>('speed', {});
  const marks = async (): Promise<Marks> => (await moto.control<{ codedeploy: Marks }>('marks', { kind: 'codedeploy' })).codedeploy;
  const greenWeight = async (fx: BlueGreenFixture, id: string): Promise<number | undefined> => {
    const { deploymentTarget } = await fx.codedeploy.send(
      new GetDeploymentTargetCommand({ deploymentId: id, targetId: `${fx.cluster}:${fx.service}` }),
    );
    return deploymentTarget?.ecsTarget?.taskSetsInfo?.find((s) => s.taskSetLabel === 'Green')?.trafficWeight;
  };

  const routes: Route[] = [
    {
      name: 'post window (termination wait)',
      at: 'post',
      config: undefined,
      factor: () => undefined,
      onTarget: async (_fx, id) => (await marks())[id]?.trafficShifted !== undefined,
    },
    {
      name: 'canary step at 10% (ECSCanary10Percent5Minutes)',
      at: 'step',
      config: canaryConfig,
      // The step stands 5 AWS minutes: long enough for the wait, up to two intervals and a margin.
      factor: (intervalMs) => Math.min(speed.factor, 300_000 / (3 * intervalMs + 5000)),
      onTarget: async (fx, id) => (await greenWeight(fx, id)) === 10,
    },
  ];

  let alarms = 0;
  const sources: Source[] = [
    {
      name: 'cloudwatch-alarm',
      set: async (_fx, interval) => {
        const name = await createAlarm(cloudwatch, `bench-ecs-5xx-${process.pid}-${++alarms}`);
        return {
          check: { name: 'alarms', provider: 'cloudwatch-alarm', alarms: [name], interval },
          // t0: the instant the bed applied SetAlarmState (its call log, its clock).
          cross: async () => {
            const before = Date.now() - 1;
            await setAlarm(cloudwatch, name, 'ALARM');
            const calls = await callsOf(moto, 'SetAlarmState', before);
            return calls.at(-1)?.at ?? before;
          },
        };
      },
    },
    {
      name: 'http',
      set: async (_fx, interval) => {
        let bad = false;
        const server = createServer((_req, res) => res.writeHead(bad ? 503 : 200).end(bad ? 'down' : 'ok'));
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        return {
          check: { name: 'health', provider: 'http', url: `${url}/{{service}}/healthz`, interval },
          // t0: the instant the server starts answering 503.
          cross: async () => {
            bad = true;
            return Date.now();
          },
          close: () => new Promise<void>((r) => server.close(() => r())),
        };
      },
    },
  ];

  /** One run: a deployment held at Ready, the switch with a check that never ends by itself, the source turned bad once traffic is on green. */
  async function reaction(route: Route, intervalMs: number, interval: string, source: Source): Promise<EcsSample> {
    const fx = await blueGreenService(moto, { waitForReroute: true, terminationMinutes: 60 });
    const plan = await planFrom({
      image: digestImage('127.0.0.1:5000/shop/web'),
      ...blueGreenTarget(fx),
      'wait-until': 'ready',
      ...(route.config ? { 'deployment-config': route.config } : {}),
    });
    const ready = await deployEcs(plan, clients, { log: memoryLog(), timing });
    if (ready.status !== 'Ready') throw new Error(`deploy-ecs ended ${ready.status}, not Ready`);
    const id = ready.deploymentId;
    const { check, cross, close } = await source.set(fx, interval);
    try {
      const analysis = planAnalysis({ checks: [{ ...check, at: [route.at], count: 1000 }] }, { input: 'analysis' });
      // How the switch ended, once it has: it must not end before the source turned bad, nor pass.
      let ended: string | undefined;
      const result = switchEcs(
        { action: 'switch', deploymentId: id, group: undefined, previousTaskDefinition: undefined, timeoutMs: 300_000, analysis },
        clients,
        { log: memoryLog(), timing, signal: new AbortController().signal, cloudwatch: () => cloudwatch },
      ).then(
        () => {
          ended = 'the switch passed its analysis: the source was never seen bad';
        },
        (error: Error) => {
          ended = `the switch failed: ${error.message}`;
        },
      );
      while (!(await route.onTarget(fx, id))) {
        if (ended) throw new Error(`before the source turned bad, ${ended}`);
        await delay(20);
      }
      await delay(Math.random() * intervalMs);
      const t0 = await cross();
      // t1: the bed's own mark, exact whatever this loop's resolution.
      let t1: number | undefined;
      for (const limit = Date.now() + 120_000; t1 === undefined; ) {
        const all = await marks();
        const back = all[id]?.rolledBackBy;
        t1 = back ? all[back]?.trafficShifted : undefined;
        if (t1 !== undefined) break;
        if (ended?.startsWith('the switch passed') || Date.now() > limit)
          throw new Error(`no rollback of ${id} after t0: ${ended ?? 'the switch still runs'}`);
        await delay(20);
      }
      await result;
      // A step check must have stopped the deployment while it stood at the step: green never took all traffic.
      if (route.at === 'step' && (await marks())[id]?.trafficShifted !== undefined)
        throw new Error(`deployment ${id} moved all traffic to green before the step check stopped it: the step was too short`);
      const stopAt = (await callsOf(moto, 'StopDeployment', t0))[0]?.at ?? Number.NaN;
      return { detection: stopAt - t0, back: t1 - t0, rollback: t1 - stopAt };
    } finally {
      await close?.();
    }
  }

  const rows: (string | number)[][] = [];
  const factors = new Set<number>();
  for (const route of routes) {
    for (const interval of intervals) {
      const intervalMs = parseDuration(interval) ?? 1000;
      const factor = route.factor(intervalMs) ?? speed.factor;
      factors.add(factor);
      await moto.control('speed', { factor });
      try {
        for (const source of sources) {
          const samples: EcsSample[] = [];
          for (let i = 0; i < count; i++) samples.push(await reaction(route, intervalMs, interval, source));
          const detection = samples.map((s) => s.detection);
          const back = samples.map((s) => s.back);
          const p95 = percentile(back, 95);
          rows.push([
            `${route.name}: ${source.name}, interval ${interval}`,
            count,
            ms(median(detection)),
            ms(percentile(detection, 95)),
            ms(median(back)),
            ms(p95),
            ms(Math.max(...back)),
            `${ms(median(samples.map((s) => s.rollback)))} (${ms(nominalRollbackMs(speed, factor))} at ÷${factor.toFixed(1)})`,
            ms(intervalMs + 2000),
            p95 <= intervalMs + 2000 ? 'met' : 'MISSED',
          ]);
        }
      } finally {
        await moto.control('speed', { factor: speed.factor });
      }
    }
  }
  const t = speed.timing;
  const afterFlip = (((t.cdAllAtOnce ?? 0) + (t.cdNoHook ?? 0)) / speed.factor) * 1000;
  const notes = [
    `CodeDeploy's rollback in AWS seconds (bed TIMING): cdStop ${t.cdStop} + cdStart ${t.cdStart} + BeforeAllowTraffic ${t.cdNoHook} + AllowTraffic ${t.cdAllAtOnce} + AfterAllowTraffic ${t.cdNoHook}, divided by the bed's speed factor (${[...factors].map((f) => `÷${f.toFixed(1)}`).join(', ')}); in AWS this part takes those seconds themselves, whatever the action does.`,
    `t1 is the rollback deployment's trafficShifted mark; the bed already shows blue at 100% at the start of the rollback's AllowTraffic, ${ms(afterFlip)} earlier at ÷${speed.factor}.`,
  ];
  return { rows, notes };
}
