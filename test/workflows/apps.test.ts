// Two apps in one repository under act on the bed (one environment file each: demo-app in
// .github/expeditor.yml, cart in .github/cart.yml; dev ECS rolling, prod ECS CodeDeploy held at
// Ready), deployed, promoted and rolled back in turns through the reusable workflows: no record,
// gate, promotion or rollback of one app ever picks the other's image; a prod promotion held at
// Ready for an approval job that switches, and one whose approval job fails, which stops the held
// deployment and records failure, and one that never switches (a rejection), which stops the
// held deployment; a rollback right after an app's first deploy returns to what ran before it;
// a prod config mistake refused by deploy.yml's check job (validate-only) before any record, and a
// prod switch plan refused by promote.yml's gate job before it reads GitHub.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { beforeAll, describe, expect, test } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import { blueGreenService, rollingService } from '../e2e/deploy-ecs-bed.ts';
import { consumerRepo, expeditorRelease, type ActRun } from './act.ts';
import { ACCOUNTS, deployRole, setUpDemo, type Demo } from './demo.ts';
import { dispatchWorkflow, runWorkflow, show } from './consumer-workflows.ts';

const bed = useBed(['oidc', 'moto', 'registry', 'github']);
let demo: Demo;
let release = '';
let repo = '';
let sha = '';
const act = (workflow: string, inputs?: Record<string, string>) => runWorkflow({ repo, release, bed }, workflow, inputs);

interface AppWorld {
  config: string;
  dev: { cluster: string; service: string };
  prod: { cluster: string; service: string };
}
const apps: Record<'demo' | 'cart', AppWorld> = {} as never;
const CART = '.github/cart.yml';
const DEMO = '.github/expeditor.yml';
const CART_TYPO = '.github/cart-typo.yml';
const CART_ANALYSIS = '.github/cart-analysis.yml';
const CART_DEV_MISSING = '.github/cart-dev-missing.yml';

/** The image an app's service runs (its one container). */
async function serviceImage(account: string, where: { cluster: string; service: string }): Promise<string | undefined> {
  const ecs = new ECSClient(bed.moto.clientConfig(account));
  const svc = (await ecs.send(new DescribeServicesCommand({ cluster: where.cluster, services: [where.service] }))).services![0]!;
  const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition! }));
  return td.taskDefinition!.containerDefinitions![0]?.image;
}

let n = 0;
/** A new image of an app, by digest (the bed's ECS runs any image it is given). */
const image = (app: string): string => `${bed.registry.host}/${app}@sha256:${(++n).toString(16).padStart(64, 'a')}`;

/** The consumer's dispatchable deploy: one environment of one app's file. */
const deployWorkflow = dispatchWorkflow('deploy', { environment: 'required', image: 'required', config: 'required' });

/** GitHub's record of an environment for one app: [image, last state] in order. */
const records = (environment: string, app: string): [string, string | undefined][] =>
  bed.github
    .deployments(environment)
    .filter((d) => (d.payload as { app?: string }).app === app)
    .map((d) => [(d.payload as { image: string }).image, d.statuses.at(-1)?.state]);

beforeAll(async () => {
  demo = await setUpDemo(bed);
  // cart: its own services in the same accounts, its own environment file.
  const devRole = await deployRole(bed, ACCOUNTS.dev);
  const prodRole = await deployRole(bed, ACCOUNTS.prod);
  const dev = await rollingService(bed.moto, { account: ACCOUNTS.dev, desired: 1, image: `${bed.registry.host}/cart:bootstrap` });
  const prod = await blueGreenService(bed.moto, { account: ACCOUNTS.prod, waitForReroute: true, terminationMinutes: 0 });
  const region = bed.moto.region;
  const cartConfig = [
    'app: cart',
    `image: { repository: ${bed.registry.host}/cart }`,
    'environments:',
    '  dev:',
    `    aws: { account: "${ACCOUNTS.dev}", region: ${region}, role: "${devRole}" }`,
    `    ecs: { cluster: ${dev.cluster}, service: ${dev.service}, strategy: rolling, container: app }`,
    '  prod:',
    `    aws: { account: "${ACCOUNTS.prod}", region: ${region}, role: "${prodRole}" }`,
    `    ecs: { cluster: ${prod.cluster}, service: ${prod.service}, strategy: blue-green, container: web, codedeploy: { application: ${prod.application}, deployment-group: ${prod.group} } }`,
    '    promote-from: dev',
    '',
  ].join('\n');
  apps.demo = { config: DEMO, dev: demo.dev, prod: demo.prod };
  apps.cart = { config: CART, dev: { cluster: dev.cluster, service: dev.service }, prod: { cluster: prod.cluster, service: prod.service } };
  release = expeditorRelease(join(bed.dir, 'expeditor'));
  repo = join(bed.dir, 'shop');
  sha = consumerRepo(repo, {
    [DEMO]: demo.config,
    [CART]: cartConfig,
    // cart's file with a mistake only its prod deploy would find: a container its task definition
    // file does not have (the environment file itself is well-formed).
    [CART_TYPO]: cartConfig.replace('container: web,', 'container: webb, task-definition: ecs/cart-prod.json,'),
    // cart's file whose dev (rolling) names a task definition file the repository lacks: only a
    // redeploy reads it.
    [CART_DEV_MISSING]: cartConfig.replace(
      'strategy: rolling, container: app }',
      'strategy: rolling, container: app, task-definition: ecs/cart-dev.json }',
    ),
    // cart's file with a check condition in prod that only its traffic switch reads.
    [CART_ANALYSIS]: `${cartConfig}    analysis: { checks: [{ name: up, provider: http, url: "http://127.0.0.1:9/", success: "result <" }] }\n`,
    'ecs/cart-prod.json': JSON.stringify({ family: 'cart-prod', containerDefinitions: [{ name: 'web', image: 'cart', memory: 256 }] }),
    '.github/workflows/deploy.yml': deployWorkflow,
    '.github/workflows/promote.yml': dispatchWorkflow('promote', {
      to: 'required',
      digest: 'optional',
      commit: 'optional',
      config: 'required',
      'approval-environment': 'optional',
    }),
    '.github/workflows/rollback.yml': dispatchWorkflow('rollback', { environment: 'required', config: 'required' }),
  });
}, 300_000);

/** The typo'd cart file differs from cart's where the test says it does. */
const cartConfigTypoApplied = (): boolean =>
  readFileSync(join(repo, CART_TYPO), 'utf8').includes('container: webb, task-definition: ecs/cart-prod.json,');

const ok = (run: ActRun): void => expect(run.code, show(run)).toBe(0);

describe('two apps in one repository, one environment file each', () => {
  const demoImages: string[] = [];
  const cartImages: string[] = [];
  let cartProdBefore: string | undefined;

  test('interleaved deploys to dev, then promotions by commit to prod: each app gets its own image', async () => {
    cartProdBefore = await serviceImage(ACCOUNTS.prod, apps.cart.prod);
    demoImages.push(image('demo-app'));
    cartImages.push(image('cart'));
    ok(await act('deploy', { environment: 'dev', image: demoImages[0]!, config: DEMO }));
    ok(await act('deploy', { environment: 'dev', image: cartImages[0]!, config: CART }));
    expect(await serviceImage(ACCOUNTS.dev, apps.demo.dev)).toBe(demoImages[0]);
    expect(await serviceImage(ACCOUNTS.dev, apps.cart.dev)).toBe(cartImages[0]);
    // Both passed dev at one commit: promotion by that commit takes each app's own image.
    ok(await act('promote', { to: 'prod', digest: '', commit: sha, config: CART, 'approval-environment': '' }));
    ok(await act('promote', { to: 'prod', digest: '', commit: sha, config: DEMO, 'approval-environment': '' }));
    expect(await serviceImage(ACCOUNTS.prod, apps.cart.prod)).toBe(cartImages[0]);
    expect(await serviceImage(ACCOUNTS.prod, apps.demo.prod)).toBe(demoImages[0]);
    // A digest that passed dev for the other app is refused, deploying nothing.
    const before = bed.github.deployments('prod').length;
    const crossed = await act('promote', { to: 'prod', digest: cartImages[0]!, commit: '', config: DEMO, 'approval-environment': '' });
    expect(crossed.code).not.toBe(0);
    expect(crossed.output).toContain('has no successful deployment of demo-app in dev');
    expect(bed.github.deployments('prod').length).toBe(before);
    // Each app's first pass in prod recorded what ran before it, with the image deploy-ecs saw running.
    expect(records('prod', 'cart')).toEqual([
      [cartImages[0], 'success'],
      ['127.0.0.1:5000/shop/web:1', 'success'],
    ]);
    expect(bed.github.malformed()).toEqual([]);
  });

  test('an unknown environment or the other app named for a file is refused before any GitHub environment or record', async () => {
    const requests = bed.github.requests().length;
    const typo = await act('promote', { to: 'prood', digest: '', commit: sha, config: CART, 'approval-environment': '' });
    expect(typo.code).not.toBe(0);
    expect(typo.output).toMatch(/environment "prood" is not in \.github\/cart\.yml/);
    const rb = await act('rollback', { environment: 'stagin', config: CART });
    expect(rb.code).not.toBe(0);
    expect(rb.output).not.toContain('Find the previous passed image');
    expect(bed.github.requests().length).toBe(requests);
  });

  test('held at Ready for approval: the approve job switches, and only then is the Deployment a success', async () => {
    demoImages.push(image('demo-app'));
    ok(await act('deploy', { environment: 'dev', image: demoImages[1]!, config: DEMO }));
    const run = await act('promote', {
      to: 'prod',
      digest: demoImages[1]!,
      commit: '',
      config: DEMO,
      'approval-environment': 'prod-approval',
    });
    ok(run);
    expect(await serviceImage(ACCOUNTS.prod, apps.demo.prod)).toBe(demoImages[1]);
    const last = bed.github.deployments('prod').at(-1)!;
    expect(last.payload).toMatchObject({ app: 'demo-app', image: demoImages[1] });
    expect(last.statuses.map((s) => [s.state, s.description])).toEqual([
      ['in_progress', 'deploying'],
      ['in_progress', 'held at Ready, waiting for approval in prod-approval'],
      ['success', 'deployed'],
    ]);
    // The approve job ran in its own job (and environment) and the recover job did not.
    expect(run.output).toMatch(/\/approve\].*Success - Main Switch traffic/);
    expect(run.output).not.toMatch(/\/recover\]/);
  });

  test('rollbacks stay within their app: demo-app returns to its previous image; cart, right after its first deploy, to what ran before it', async () => {
    ok(await act('rollback', { environment: 'prod', config: DEMO }));
    expect(await serviceImage(ACCOUNTS.prod, apps.demo.prod)).toBe(demoImages[0]);
    ok(await act('rollback', { environment: 'prod', config: CART }));
    expect(await serviceImage(ACCOUNTS.prod, apps.cart.prod)).toBe(cartProdBefore);
    // demo-app in dev goes back to its own first image, not cart's deployed in between.
    ok(await act('rollback', { environment: 'dev', config: DEMO }));
    expect(await serviceImage(ACCOUNTS.dev, apps.demo.dev)).toBe(demoImages[0]);
    expect(await serviceImage(ACCOUNTS.dev, apps.cart.dev)).toBe(cartImages[0]);
    expect(bed.github.malformed()).toEqual([]);
  });

  test('an approval job that fails (CodeDeploy fails at AllowTraffic) leaves traffic on the live task set and records failure', async () => {
    cartImages.push(image('cart'));
    ok(await act('deploy', { environment: 'dev', image: cartImages[1]!, config: CART }));
    const live = await serviceImage(ACCOUNTS.prod, apps.cart.prod);
    const fault = await bed.moto.control<{ id: string }>('fault/codedeploy', { account: ACCOUNTS.prod, lifecycleEvent: 'AllowTraffic' });
    let run: ActRun;
    try {
      run = await act('promote', { to: 'prod', digest: cartImages[1]!, commit: '', config: CART, 'approval-environment': 'prod-approval' });
    } finally {
      await bed.moto.control('fault/clear', { id: fault.id });
    }
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/\/approve\].*Failure - Main Switch traffic/);
    expect(run.output).toMatch(/\/recover\].*Success - Main Record the outcome/);
    expect(await serviceImage(ACCOUNTS.prod, apps.cart.prod)).toBe(live);
    const last = bed.github.deployments('prod').at(-1)!;
    expect(last.payload).toMatchObject({ app: 'cart', image: cartImages[1] });
    expect(last.statuses.map((s) => s.state)).toEqual(['in_progress', 'in_progress', 'failure']);
    expect(last.statuses.at(-1)!.description).toBe('not switched (approval job failure), traffic left on the live color');
    // demo-app untouched.
    expect(await serviceImage(ACCOUNTS.prod, apps.demo.prod)).toBe(demoImages[0]);
  });

  // act has no reviewers to reject: the approve job failing at its first step (GitHub answers its
  // check with 403) stands for a rejection — nothing switched, the held deployment must be undone.
  test('an approval that never switches (the approve job fails before its switch) stops the held CodeDeploy deployment', async () => {
    demoImages.push(image('demo-app'));
    ok(await act('deploy', { environment: 'dev', image: demoImages[2]!, config: DEMO }));
    const live = await serviceImage(ACCOUNTS.prod, apps.demo.prod);
    let faulted = false;
    const watch = setInterval(() => {
      const last = bed.github.deployments('prod').at(-1);
      if (!faulted && last?.statuses.at(-1)?.description?.startsWith('held at Ready')) {
        faulted = true;
        bed.github.fault(403, 1);
      }
    }, 20);
    let run: ActRun;
    try {
      run = await act('promote', { to: 'prod', digest: demoImages[2]!, commit: '', config: DEMO, 'approval-environment': 'prod-approval' });
    } finally {
      clearInterval(watch);
    }
    expect(faulted).toBe(true);
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/\/approve\].*Failure - Main Check the deployment is still held/);
    expect(run.output).not.toMatch(/\/approve\].*Main Switch traffic/);
    expect(run.output).toMatch(/\/recover\].*Success - Main Stop the held deployment \(ECS\)/);
    expect(run.output).toMatch(/\/recover\].*Stopped/);
    expect(await serviceImage(ACCOUNTS.prod, apps.demo.prod)).toBe(live);
    const last = bed.github.deployments('prod').at(-1)!;
    expect(last.payload).toMatchObject({ app: 'demo-app', image: demoImages[2] });
    expect(last.statuses.map((s) => s.state)).toEqual(['in_progress', 'in_progress', 'failure']);
    // The next deploy of demo-app to prod goes through (CodeDeploy is free again).
    ok(await act('promote', { to: 'prod', digest: demoImages[2]!, commit: '', config: DEMO, 'approval-environment': '' }));
    expect(await serviceImage(ACCOUNTS.prod, apps.demo.prod)).toBe(demoImages[2]);
  });

  // The deploy's plan runs in the check job (deploy-ecs validate-only): a config mistake in prod is
  // refused there, with deploy-ecs's error, before the deploy job takes the GitHub environment
  // (whose reviewers would otherwise approve a run bound to fail): no Deployment, no AWS call.
  test('a prod config mistake (a container the task definition file lacks) is refused by the check job, before any approval or record', async () => {
    expect(cartConfigTypoApplied()).toBe(true);
    const since = Date.now();
    const requests = bed.github.requests().length;
    const run = await act('deploy', { environment: 'prod', image: image('cart'), config: CART_TYPO });
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/\/check\].*Success - Main Check the environment and app against the environment file/);
    expect(run.output).toMatch(/\/check\].*Failure - Main Check the ECS deploy \(validate-only\)/);
    expect(run.output).toContain(`environments.prod.ecs.container: the task definition has no container "webb" (have: web)`);
    // The deploy job never started (act names it [deploy/expeditor deploy/deploy]).
    expect(run.output).not.toContain('expeditor deploy/deploy]');
    expect(bed.github.requests().length).toBe(requests);
    expect((await bed.moto.control<{ calls: unknown[] }>('calls', { since })).calls).toEqual([]);
  });

  // The gate job runs the traffic switch's plan (bluegreen-switch validate-only) for `to` before
  // the gate reads GitHub's Deployments: a condition the approve or deploy job's switch would refuse
  // once green is up fails there, with no GitHub request and no AWS call.
  test('a promotion whose prod switch plan the switch would refuse (a check condition) fails in the gate job, before it reads GitHub', async () => {
    const since = Date.now();
    const requests = bed.github.requests().length;
    const run = await act('promote', { to: 'prod', digest: image('cart'), commit: '', config: CART_ANALYSIS, 'approval-environment': '' });
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/\/gate\].*Success - Main Check the environment and app against the environment file/);
    expect(run.output).toMatch(/\/gate\].*Failure - Main Check the traffic switch \(validate-only\)/);
    expect(run.output).toMatch(/environments\.prod\.analysis\.checks\.0\.success.*"result <"/);
    expect(run.output).not.toMatch(/Main Promotion gate/);
    expect(bed.github.requests().length).toBe(requests);
    expect((await bed.moto.control<{ calls: unknown[] }>('calls', { since })).calls).toEqual([]);
  });

  // rollback.yml's check job plans the ECS redeploy (deploy-ecs validate-only, without the image,
  // which the rollback job reads from GitHub's Deployments when it runs): a file the redeploy would
  // refuse fails there, before any approval, GitHub request or AWS call.
  test('a rolling rollback whose environment names a task definition file the repository lacks is refused by the check job', async () => {
    const before = await serviceImage(ACCOUNTS.dev, apps.cart.dev);
    const since = Date.now();
    const requests = bed.github.requests().length;
    const run = await act('rollback', { environment: 'dev', config: CART_DEV_MISSING });
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/\/check\].*Failure - Main Check the redeploy \(ECS, validate-only\)/);
    expect(run.output).toContain('"ecs/cart-dev.json" does not exist in the workspace');
    // The rollback job never started (act names it [rollback/expeditor rollback/rollback]).
    expect(run.output).not.toContain('expeditor rollback/rollback]');
    expect(bed.github.requests().length).toBe(requests);
    expect((await bed.moto.control<{ calls: unknown[] }>('calls', { since })).calls).toEqual([]);
    expect(await serviceImage(ACCOUNTS.dev, apps.cart.dev)).toBe(before);
  });
});
