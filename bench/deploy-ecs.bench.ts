// Done-detection latency of deploy-ecs on the bed's moto: from the instant the bed marks a
// deployment done (t0: ECS rolloutState COMPLETED, CodeDeploy Ready or Succeeded — exact, from the
// bed's simulation clock) to the instant the action reports it (t1: its line saying so, and its
// exit), p50/p95 over ≥ 20 runs; and the describe calls it makes per minute while waiting, per
// service (each run acts as its own account, so the bed's call log tells them apart).
//
// EXPEDITOR_BENCH_PEER_ECS=/path/to/amazon-ecs-deploy-task-definition/dist/index.js runs that
// action (aws-actions) on the same bed beside ours, rolling and CodeDeploy (its t1 is its exit:
// it prints nothing in between). EXPEDITOR_BENCH_ECS_SPEED divides the bed's AWS-like durations
// (default 1: the bed's own durations, a rolling deployment takes ~35 s, a CodeDeploy one ~25 s);
// EXPEDITOR_BENCH_ECS_TIMING='{"ecsTaskStart":60,"cdInstall":120}' lengthens chosen phases (the
// bed's names, see test/bed/moto/bed_ecs.py and bed_codedeploy.py), closer to real services with
// health checks, where the calls made once per deployment weigh less per minute;
// EXPEDITOR_BENCH_ECS_JITTER (default 0.3) draws each bed duration within ±30 % of its nominal
// value, so the runs' ends do not all fall at the same point of the action's poll schedule;
// EXPEDITOR_BENCH_RUNS sets the runs per scenario (at least 20). Figures only: nothing here passes
// or fails.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { startBed } from '../test/bed/index.ts';
import type { MotoPart } from '../test/bed/types.ts';
import { blueGreenService, digestImage, rollingService, runBundle, type BundleRun } from '../test/e2e/deploy-ecs-bed.ts';
import { percentile, printTable, runs } from './stats.ts';

const n = Math.max(20, runs(20));
const speed = Number(process.env.EXPEDITOR_BENCH_ECS_SPEED ?? '1');
const peer = process.env.EXPEDITOR_BENCH_PEER_ECS;
const concurrency = Math.max(1, Number(process.env.EXPEDITOR_BENCH_CONCURRENCY ?? '10'));
const timing = JSON.parse(process.env.EXPEDITOR_BENCH_ECS_TIMING ?? '{}') as Record<string, number>;
const jitter = Number(process.env.EXPEDITOR_BENCH_ECS_JITTER ?? '0.3');

interface Sample {
  /** t1 (the action's own line) − t0 */
  lineMs: number | undefined;
  /** exit − t0 */
  exitMs: number;
  callsPerMinute: number;
  ok: boolean;
  note?: string;
}

type Marks = { ecs: Record<string, Record<string, unknown>>; codedeploy: Record<string, Record<string, unknown>> };

let accountSeq = 0;
const nextAccount = (): string => String(700_000_000_000 + ++accountSeq);

/** Calls of `actions` made with `account`'s key between `from` and `to` (epoch ms), per minute. */
async function callsPerMinute(moto: MotoPart, account: string, actions: string[], from: number, to: number): Promise<number> {
  const key = moto.clientConfig(account).credentials.accessKeyId;
  const answer = await moto.control<{ calls: { action: string; at: number; accessKeyId?: string }[] }>('calls', { since: from });
  const count = answer.calls.filter((c) => c.accessKeyId === key && actions.includes(c.action) && c.at <= to).length;
  return count / Math.max((to - from) / 60_000, 1 / 60);
}

async function firstCall(moto: MotoPart, account: string, action: string, since: number): Promise<number | undefined> {
  const key = moto.clientConfig(account).credentials.accessKeyId;
  const answer = await moto.control<{ calls: { at: number; accessKeyId?: string }[] }>('calls', { action, since });
  return answer.calls.find((c) => c.accessKeyId === key)?.at;
}

const lineAt = (run: BundleRun, pattern: RegExp): number | undefined => run.lines.find((l) => pattern.test(l.text))?.at;

async function pool<T>(count: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) results[i] = await task(i);
    }),
  );
  return results;
}

const ECS_DESCRIBES = ['DescribeServices', 'DescribeTasks', 'ListTasks'];
const CD_DESCRIBES = ['GetDeployment', 'GetDeploymentTarget', 'ListDeploymentTargets', 'BatchGetDeployments'];

async function rolling(moto: MotoPart, tool: 'ours' | 'peer'): Promise<Sample> {
  const account = nextAccount();
  const fx = await rollingService(moto, { account });
  const image = digestImage('127.0.0.1:5000/shop/app');
  const since = Date.now();
  let run: BundleRun;
  if (tool === 'ours') {
    run = await runBundle('deploy-ecs', { image, cluster: fx.cluster, service: fx.service }, moto.env(account));
  } else {
    // The peer registers a file as it is: render the same task definition ours would.
    const ws = mkdtempSync(join(tmpdir(), 'peer-ws-'));
    const td = (await fx.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: fx.firstTd }))).taskDefinition!;
    const app = td.containerDefinitions!.find((c) => c.name === 'app')!;
    app.image = image;
    writeFileSync(join(ws, 'task-definition.json'), JSON.stringify({ family: td.family, containerDefinitions: td.containerDefinitions }));
    run = await runBundle(
      peer!,
      { 'task-definition': 'task-definition.json', cluster: fx.cluster, service: fx.service, 'wait-for-service-stability': 'true' },
      moto.env(account),
      { workspace: ws },
    );
  }
  // A tool may exit before the deployment completes (a stable service is not a completed
  // rollout): wait for the bed's mark, so such a run shows as reported before the end.
  const findMark = async () => {
    const marks = await moto.control<Marks>('marks', { kind: 'ecs' });
    return Object.entries(marks.ecs).find(
      ([, m]) => m.cluster === fx.cluster && m.service === fx.service && m.taskDefinition !== fx.firstTd && typeof m.completed === 'number',
    );
  };
  let ours = await findMark();
  for (let waited = 0; !ours && run.status === 0 && waited < 120_000; waited += 500) {
    await new Promise((r) => setTimeout(r, 500));
    ours = await findMark();
  }
  const updateAt = (await firstCall(moto, account, 'UpdateService', since)) ?? since;
  const perMinute = await callsPerMinute(moto, account, ECS_DESCRIBES, updateAt, run.exitedAt);
  if (!ours)
    return {
      lineMs: undefined,
      exitMs: Number.NaN,
      callsPerMinute: perMinute,
      ok: false,
      note: `no completed deployment (exit ${run.status})`,
    };
  const t0 = ours[1].completed as number;
  const line = tool === 'ours' ? lineAt(run, /ECS deployment \S+ COMPLETED/) : undefined;
  return { lineMs: line !== undefined ? line - t0 : undefined, exitMs: run.exitedAt - t0, callsPerMinute: perMinute, ok: run.status === 0 };
}

async function blueGreen(moto: MotoPart, tool: 'ours' | 'peer', until: 'ready' | 'succeeded'): Promise<Sample> {
  const account = nextAccount();
  const fx = await blueGreenService(moto, { account, waitForReroute: until === 'ready' });
  const image = digestImage('127.0.0.1:5000/shop/web');
  const since = Date.now();
  let run: BundleRun;
  const common = {
    cluster: fx.cluster,
    service: fx.service,
    'codedeploy-application': fx.application,
    'codedeploy-deployment-group': fx.group,
  };
  if (tool === 'ours') {
    run = await runBundle('deploy-ecs', { ...common, image, 'wait-until': until }, moto.env(account));
  } else {
    const ws = mkdtempSync(join(tmpdir(), 'peer-ws-'));
    writeFileSync(
      join(ws, 'task-definition.json'),
      JSON.stringify({
        family: fx.family,
        containerDefinitions: [{ name: 'web', image, memory: 128, portMappings: [{ containerPort: 80 }] }],
      }),
    );
    writeFileSync(
      join(ws, 'appspec.yaml'),
      [
        'version: 0.0',
        'Resources:',
        '  - TargetService:',
        '      Type: AWS::ECS::Service',
        '      Properties:',
        '        TaskDefinition: placeholder',
        '        LoadBalancerInfo:',
        '          ContainerName: web',
        '          ContainerPort: 80',
      ].join('\n'),
    );
    run = await runBundle(
      peer!,
      { ...common, 'task-definition': 'task-definition.json', 'codedeploy-appspec': 'appspec.yaml', 'wait-for-service-stability': 'true' },
      moto.env(account),
      { workspace: ws },
    );
  }
  const createAt = (await firstCall(moto, account, 'CreateDeployment', since)) ?? since;
  const perMinute = await callsPerMinute(moto, account, CD_DESCRIBES, createAt, run.exitedAt);
  const marks = await moto.control<Marks>('marks', { kind: 'codedeploy' });
  const mine = Object.entries(marks.codedeploy).find(([, m]) => m.application === fx.application && m.rollback === false);
  const t0 = mine?.[1][until === 'ready' ? 'ready' : 'succeeded'];
  if (typeof t0 !== 'number') {
    const error = run.stdout
      .split('\n')
      .find((l) => l.startsWith('::error::'))
      ?.slice(0, 160);
    return {
      lineMs: undefined,
      exitMs: Number.NaN,
      callsPerMinute: perMinute,
      ok: false,
      note: `not ${until} (exit ${run.status}${error ? `: ${error}` : ''})`,
    };
  }
  const id = mine![0];
  const line = tool === 'ours' ? lineAt(run, new RegExp(`deployment ${id}: ${until === 'ready' ? 'Ready' : 'Succeeded'}`)) : undefined;
  return { lineMs: line !== undefined ? line - t0 : undefined, exitMs: run.exitedAt - t0, callsPerMinute: perMinute, ok: run.status === 0 };
}

const bed = await startBed(['moto']);
const rows: (string | number)[][] = [];
const fmt = (v: number): string => (Number.isFinite(v) ? `${(v / 1000).toFixed(2)} s` : '—');
function addRow(scenario: string, tool: string, samples: Sample[]): void {
  const ok = samples.filter((s) => Number.isFinite(s.exitMs));
  const lines = ok.map((s) => s.lineMs).filter((v): v is number => v !== undefined);
  const exits = ok.map((s) => s.exitMs);
  const calls = samples.map((s) => s.callsPerMinute);
  const early = exits.filter((v) => v < 0).length;
  const failed = samples.filter((s) => !s.ok).length;
  rows.push([
    scenario,
    tool,
    `${ok.length}/${samples.length}`,
    lines.length ? `${fmt(percentile(lines, 50))} / ${fmt(percentile(lines, 95))}` : '—',
    `${fmt(percentile(exits, 50))} / ${fmt(percentile(exits, 95))}`,
    `${percentile(calls, 50).toFixed(1)} / ${Math.max(...calls).toFixed(1)}`,
    [
      early ? `${early} reported before the end` : '',
      failed ? `${failed} runs failed` : '',
      ...new Set(samples.map((s) => s.note).filter(Boolean)),
    ]
      .filter(Boolean)
      .join('; ') || '—',
  ]);
}

try {
  await bed.moto.control('speed', { factor: speed, timing, jitter });
  const tools: ('ours' | 'peer')[] = peer ? ['ours', 'peer'] : ['ours'];
  for (const tool of tools) {
    addRow('rolling → COMPLETED', tool === 'ours' ? 'deploy-ecs' : 'aws-actions peer', await pool(n, () => rolling(bed.moto, tool)));
    addRow(
      'CodeDeploy → Succeeded',
      tool === 'ours' ? 'deploy-ecs' : 'aws-actions peer',
      await pool(n, () => blueGreen(bed.moto, tool, 'succeeded')),
    );
    if (tool === 'ours') addRow('CodeDeploy → Ready', 'deploy-ecs', await pool(n, () => blueGreen(bed.moto, tool, 'ready')));
  }
} finally {
  await bed.stop();
}
printTable(
  `Done-detection latency on the bed's moto (speed ${speed}×${Object.keys(timing).length ? `, phases ${JSON.stringify(timing)} s` : ''}, each duration ±${Math.round(jitter * 100)} %, ${n} runs per row, ${concurrency} at a time; goal p95 ≤ 5 s, ≤ 12 describe calls/min)`,
  ['scenario', 'tool', 'done', 'bed mark → line p50/p95', 'bed mark → exit p50/p95', 'describe calls/min p50/max', 'notes'],
  rows,
);
if (!peer)
  console.log('\n(set EXPEDITOR_BENCH_PEER_ECS to the peer bundle to measure aws-actions/amazon-ecs-deploy-task-definition beside it)');
