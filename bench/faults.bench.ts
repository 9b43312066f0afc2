// The fault matrix: each action's main bed scenario through the fault proxy at 10 % injected faults
// (429, 503, resets before and after the server acted, slow answers, dropped watches), plus the
// lost answer of each write that must not be repeated. Per scenario: runs, completed, duplicate
// writes, wrong end states and faults injected. Goal: 100 % completed, 0 duplicates, 0 wrong ends.
// The deploy actions cross moto and the kube-apiserver; build-image the registry (buildah's push
// and its own requests), assume-env the OIDC token endpoint and STS, deployment-record the GitHub API.
// EXPEDITOR_BENCH_RUNS sets the runs per scenario (default 10); EXPEDITOR_BENCH_FAULT_RATE the rate.
import { startBed } from '../test/bed/index.ts';
import { once } from '../test/e2e/fault-proxy.ts';
import {
  assumeEnv,
  awsOperation,
  buildImage,
  deploymentRecord,
  ecsBlueGreen,
  ecsRolling,
  eksDeployAndSwitch,
  eksDeployByTag,
  githubCreate,
  githubStatus,
  kubeWrite,
  lostWrites,
  type Outcome,
} from '../test/e2e/fault-scenarios.ts';
import { printTable, runs } from './stats.ts';

const n = runs(10);
const rate = Number(process.env.EXPEDITOR_BENCH_FAULT_RATE ?? '0.1');
const bed = await startBed(['oidc', 'moto', 'registry', 'k8s', 'github', 'docker']);
try {
  const scenarios: [string, (seed: number) => Promise<Outcome>][] = [
    ['deploy-ecs rolling', (seed) => ecsRolling(bed.moto, lostWrites({ rate, seed }, awsOperation('RegisterTaskDefinition')))],
    [
      'deploy-ecs blue/green',
      (seed) =>
        ecsBlueGreen(bed.moto, lostWrites({ rate, seed }, awsOperation('RegisterTaskDefinition'), awsOperation('CreateDeployment'))),
    ],
    [
      'deploy-eks ×2 + switch',
      (seed) => eksDeployAndSwitch(bed.k8s, lostWrites({ rate, seed }, kubeWrite('POST', 'deployments'), kubeWrite('PATCH', 'services'))),
    ],
    [
      'deploy-eks by tag (registry)',
      (seed) => eksDeployByTag(bed, { rate, seed, pick: once((r) => r.path.includes('/manifests/'), 'unavailable') }),
    ],
    ['build-image (buildah) + re-run', (seed) => buildImage(bed, { rate, seed })],
    ['build-image (buildx) + re-run', (seed) => buildImage(bed, { rate, seed }, 'buildx')],
    ['assume-env', (seed) => assumeEnv(bed, lostWrites({ rate, seed }, awsOperation('AssumeRoleWithWebIdentity')))],
    ['deployment-record dev + staging', (seed) => deploymentRecord(bed.github, lostWrites({ rate, seed }, githubCreate, githubStatus))],
  ];
  const rows: (string | number)[][] = [];
  // EXPEDITOR_BENCH_SCENARIOS=<text> runs only the scenarios whose name holds it.
  const only = process.env.EXPEDITOR_BENCH_SCENARIOS;
  for (const [name, scenario] of scenarios.filter(([n]) => !only || n.includes(only))) {
    const outcomes: Outcome[] = [];
    for (let i = 0; i < n; i++) outcomes.push(await scenario(1000 + i));
    rows.push([
      name,
      outcomes.length,
      outcomes.filter((o) => o.completed).length,
      outcomes.reduce((sum, o) => sum + o.duplicates, 0),
      outcomes.filter((o) => o.wrongEnd).length,
      outcomes.reduce((sum, o) => sum + o.faults, 0),
      outcomes.reduce((sum, o) => sum + o.requests, 0),
    ]);
    for (const o of outcomes.filter((x) => !x.completed || x.wrongEnd || x.duplicates)) {
      console.log(`-- ${name}: ${o.wrongEnd ?? (o.completed ? `${o.duplicates} duplicates` : 'did not complete')}`);
      console.log(
        o.log
          .split('\n')
          .filter((l) => /::error|retry|lost/.test(l))
          .slice(0, 8)
          .join('\n'),
      );
    }
  }
  printTable(
    `fault matrix at ${Math.round(rate * 100)} % injected faults (+ a lost answer to each non-repeatable write)`,
    ['scenario', 'runs', 'completed', 'duplicates', 'wrong end states', 'faults injected', 'requests'],
    rows,
  );
} finally {
  await bed.stop();
}
