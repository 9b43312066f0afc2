// The reusable workflows under act (host mode) on the bed: build once → dev (ECS rolling) →
// prod (CodeDeploy blue/green held at Ready, then switched), each deploy gated and recorded as a
// GitHub Deployment on the bed's description-checked GitHub API; then a promotion and a rollback.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { beforeAll, describe, expect, test } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import { consumerRepo, expeditorRelease, type ActRun } from './act.ts';
import { ACCOUNTS, setUpDemo, type Demo } from './demo.ts';
import { builtImage, deliveryWorkflow, deployJob, dispatchWorkflow, runWorkflow, show } from './consumer-workflows.ts';

const bed = useBed(['oidc', 'moto', 'registry', 'github']);
let demo: Demo;
let release = '';
let repo = '';
/** act runs the consumer's workflow, on push or dispatched with inputs. */
const act = (workflow: string, inputs?: Record<string, string>) => runWorkflow({ repo, release, bed }, workflow, inputs);

async function serviceImage(account: string, cluster: string, service: string): Promise<string | undefined> {
  const ecs = new ECSClient(bed.moto.clientConfig(account));
  const svc = (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!;
  const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition! }));
  return td.taskDefinition!.containerDefinitions!.find((c) => c.name === 'app' || c.name === 'web')?.image;
}

const promote = dispatchWorkflow('promote', { to: 'required', digest: 'optional', commit: 'optional' });
const rollback = dispatchWorkflow('rollback', { environment: 'required' });

/** Whether a step of a job succeeded, failed or never ran, from act's output. */
function step(run: ActRun, job: string, name: string): 'success' | 'failure' | 'not run' {
  const lines = run.output.split('\n').filter((l) => l.startsWith(`[${job}/`));
  if (lines.some((l) => l.includes(`Success - Main ${name}`))) return 'success';
  if (lines.some((l) => l.includes(`Failure - Main ${name}`))) return 'failure';
  return 'not run';
}

beforeAll(async () => {
  demo = await setUpDemo(bed);
  release = expeditorRelease(join(bed.dir, 'expeditor'));
  repo = join(bed.dir, 'shop');
}, 300_000);

describe('workflows under act: ECS', () => {
  let sha = '';
  test('build once → dev (ECS rolling) → prod (CodeDeploy blue/green), gated and recorded', async () => {
    sha = consumerRepo(repo, {
      '.github/expeditor.yml': demo.config,
      '.github/workflows/delivery.yml': deliveryWorkflow(bed.registry.baseImage, ['dev', 'prod']),
    });
    const run = await act('delivery');
    expect(run.code, show(run)).toBe(0);
    const image = builtImage(run);
    expect(image, show(run)).toBeDefined();
    // dev and prod run the image built, by digest.
    expect(await serviceImage(ACCOUNTS.dev, demo.dev.cluster, demo.dev.service)).toBe(image);
    expect(await serviceImage(ACCOUNTS.prod, demo.prod.cluster, demo.prod.service)).toBe(image);
    for (const env of ['dev', 'prod']) {
      const [d] = bed.github.deployments(env);
      expect(d, env).toMatchObject({ sha, payload: { image, expeditor: 1 } });
      expect(
        d!.statuses.map((s) => s.state),
        env,
      ).toEqual(['in_progress', 'success']);
    }
    expect(bed.github.deployments('prod')[0]!.production).toBe(true);
    // Blue/green only where the file says so: prod switched, dev rolled.
    expect(step(run, 'prod', 'Switch traffic')).toBe('success');
    expect(step(run, 'dev', 'Switch traffic')).toBe('not run');
    expect(step(run, 'dev', 'Deploy to ECS')).toBe('success');
    expect(bed.github.malformed()).toEqual([]);
    first = image!;
    // Figures (printed, not asserted): act's wall time against the time its steps themselves took.
    const stepTimes = [...run.output.matchAll(/Success - Main (.+?) \[([\d.]+)(ms|s)\]/g)].map((m) => ({
      step: m[1]!,
      ms: Number(m[2]) * (m[3] === 's' ? 1000 : 1),
    }));
    const inSteps = stepTimes.reduce((n, s) => n + s.ms, 0);
    console.log(
      `act: build → dev → prod in ${(run.ms / 1000).toFixed(1)} s wall; ${stepTimes.length} steps took ${(inSteps / 1000).toFixed(1)} s as act times them ` +
        `(${(inSteps / stepTimes.length / 1000).toFixed(2)} s a step, each copying the release and starting node); jobs' set-up and act's orchestration ${((run.ms - inSteps) / 1000).toFixed(1)} s\n` +
        stepTimes.map((s) => `  ${s.step}: ${(s.ms / 1000).toFixed(2)} s`).join('\n'),
    );
  });

  let first = '';
  let second = '';
  test('a second commit: the build makes a new image, and the pipeline carries it through', async () => {
    consumerRepo(repo, { 'app/src/index.html.in': 'second version\n' });
    const run = await act('delivery');
    expect(run.code, show(run)).toBe(0);
    second = builtImage(run) ?? '';
    expect(second).not.toBe(first);
    expect(await serviceImage(ACCOUNTS.prod, demo.prod.cluster, demo.prod.service)).toBe(second);
  });

  test('promote refuses a digest that did not pass the environment before, deploying nothing', async () => {
    consumerRepo(repo, { '.github/workflows/promote.yml': promote });
    const never = `${demo.repository}@sha256:${'e'.repeat(64)}`;
    const before = bed.github.deployments('prod').length;
    const run = await act('promote', { to: 'prod', digest: never, commit: '' });
    expect(run.code).not.toBe(0);
    expect(run.output).toContain(
      `digest sha256:${'e'.repeat(64)} has no successful deployment of demo-app in dev, so it may not be promoted to prod`,
    );
    expect(step(run, 'promote', 'Promotion gate')).toBe('failure');
    expect(run.output).not.toMatch(/Credentials for prod/);
    expect(bed.github.deployments('prod').length).toBe(before);
    expect(await serviceImage(ACCOUNTS.prod, demo.prod.cluster, demo.prod.service)).toBe(second);
  });

  test('promote by digest deploys an image that passed dev', async () => {
    const run = await act('promote', { to: 'prod', digest: first, commit: '' });
    expect(run.code, show(run)).toBe(0);
    expect(await serviceImage(ACCOUNTS.prod, demo.prod.cluster, demo.prod.service)).toBe(first);
    expect(bed.github.deployments('prod').at(-1)).toMatchObject({ payload: { image: first } });
  });

  test('rollback: one guarded switch back (prod, CodeDeploy) and a redeploy of the previous image (dev, rolling), recorded', async () => {
    consumerRepo(repo, { '.github/workflows/rollback.yml': rollback });
    const prodBefore = bed.github.deployments('prod').at(-1)!;
    const prod = await act('rollback', { environment: 'prod' });
    expect(prod.code, show(prod)).toBe(0);
    expect(step(prod, 'rollback', 'Switch back')).toBe('success');
    // prod ran first (promoted) after second: it returns to second.
    expect(await serviceImage(ACCOUNTS.prod, demo.prod.cluster, demo.prod.service)).toBe(second);
    expect(
      bed.github
        .deployments('prod')
        .find((d) => d.id === prodBefore.id)!
        .statuses.at(-1),
    ).toMatchObject({ state: 'error' });
    expect(bed.github.deployments('prod').at(-1)).toMatchObject({ payload: { image: second } });

    const dev = await act('rollback', { environment: 'dev' });
    expect(dev.code, show(dev)).toBe(0);
    expect(step(dev, 'rollback', 'Redeploy the previous image (ECS)')).toBe('success');
    expect(await serviceImage(ACCOUNTS.dev, demo.dev.cluster, demo.dev.service)).toBe(first);
    // The rolled-back image no longer counts as passed dev.
    const gate = await act('promote', { to: 'prod', digest: second, commit: '' });
    expect(gate.code).not.toBe(0);
    expect(bed.github.malformed()).toEqual([]);
  });

  test('hostile inputs (quotes, $(…), newlines, ::set-output) go through the workflows inert', async () => {
    const marker = join(bed.dir, 'pwned');
    const hostile = {
      to: `prod$(touch ${marker})`,
      digest: `sha256:1'; touch ${marker}; echo '\n::set-output name=image::evil`,
      commit: `"; touch ${marker}; "\n::add-mask::x`,
    };
    const before = bed.github.requests().length;
    const run = await act('promote', hostile);
    expect(run.code).not.toBe(0);
    expect(existsSync(marker)).toBe(false);
    // Refused by the input layer, naming each input, before any request.
    expect(run.output).toContain("input 'environment': expected an environment name");
    expect(run.output).toMatch(/input 'digest': (must be a single line|expected a digest)/);
    expect(run.output).toMatch(/input 'commit': (must be a single line|expected a full 40-character commit SHA)/);
    expect(run.output).not.toMatch(/::set-output::\s*image=evil/);
    expect(bed.github.requests().length).toBe(before);

    const rb = await act('rollback', { environment: `dev"; touch ${marker}; echo "` });
    expect(rb.code).not.toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(bed.github.requests().length).toBe(before);

    // A name the environment file lacks never reaches a job that takes it as a GitHub environment.
    const typo = await act('rollback', { environment: 'prood' });
    expect(typo.code).not.toBe(0);
    expect(typo.output).toMatch(/environment "prood" is not in \.github\/expeditor\.yml \(have: /);
    expect(typo.output).not.toContain('Find the previous passed image');
    expect(bed.github.requests().length).toBe(before);
  });

  test('a deploy that fails (ECS circuit breaker rolls back) is recorded as failure, and nothing goes further', async () => {
    const before = await serviceImage(ACCOUNTS.dev, demo.dev.cluster, demo.dev.service);
    const prodCount = bed.github.deployments('prod').length;
    const fault = await bed.moto.control<{ id: string }>('fault/ecs', {
      cluster: demo.dev.cluster,
      service: demo.dev.service,
      account: ACCOUNTS.dev,
      reason: 'Essential container in task exited',
    });
    try {
      consumerRepo(repo, { 'app/src/index.html.in': 'third version\n' });
      const run = await act('delivery');
      expect(run.code).not.toBe(0);
      expect(step(run, 'dev', 'Deploy to ECS')).toBe('failure');
      expect(step(run, 'dev', 'Record the outcome')).toBe('success');
      const third = builtImage(run);
      const last = bed.github.deployments('dev').at(-1)!;
      expect(last.payload).toMatchObject({ image: third });
      expect(last.statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
      // ECS sent the service back; prod never started.
      expect(await serviceImage(ACCOUNTS.dev, demo.dev.cluster, demo.dev.service)).toBe(before);
      expect(bed.github.deployments('prod').length).toBe(prodCount);
      expect(run.output).not.toMatch(/\[prod\//);
    } finally {
      await bed.moto.control('fault/clear', { id: fault.id });
    }
  });

  test('an environment with neither ecs nor eks fails the deploy, recorded as failure, instead of succeeding with nothing done', async () => {
    const qa = `name: qa\non: push\npermissions: {}\njobs:\n${deployJob('qa', { image: first })}`;
    consumerRepo(repo, {
      '.github/expeditor.yml': `${demo.config}  qa:\n    aws: { account: "${ACCOUNTS.dev}", region: us-west-2, role: "arn:aws:iam::${ACCOUNTS.dev}:role/deploy" }\n`,
      '.github/workflows/qa.yml': qa,
    });
    const run = await act('qa');
    expect(run.code).not.toBe(0);
    expect(step(run, 'qa', 'Refuse an environment with neither ecs nor eks')).toBe('failure');
    expect(step(run, 'qa', 'Credentials for qa')).toBe('not run');
    expect(bed.github.deployments('qa').map((d) => d.statuses.map((x) => x.state))).toEqual([['in_progress', 'failure']]);
  });
});
