// The reusable workflows under act on the bed with EKS: build once → dev (ECS rolling) → staging
// (EKS blue/green, Service selector switch, the EKS cluster in moto leading to the bed's
// Kubernetes) → prod (EKS behind an ALB Ingress, canary 10/50/100 with a probe after each step),
// each gated on the one before and recorded. Then approval while held on staging: the deploy job
// brings the idle color up behind the preview Service and records the Deployment waiting for
// approval, the approve job moves the stable Service's selector and only then records success;
// an approve job that fails before its switch (a rejection) leaves the selector on the live color,
// and the recover job scales the held color to zero and records the failure; one that fails after
// its switch has the recover job switch back before it scales the held color down. And a second
// app's first deploys (cart): a switch plan only the switch reads refused by the check job, a held
// first deploy not approved, and a rollback right after its first approved deploy. Last, prod's
// Ingress route held for approval: the canary runs in the approve job.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import { bedside, deployment, readyNames, service, waitAvailable } from '../e2e/switch-eks-bed.ts';
import { waitUntil } from '@expeditor/kube/watch';
import { consumerRepo, expeditorRelease, type ActRun } from './act.ts';
import { ACCOUNTS, deployRole, setUpDemo, type Demo } from './demo.ts';
import { builtImage, deliveryWorkflow, dispatchWorkflow, runWorkflow, show } from './consumer-workflows.ts';

const bed = useBed(['oidc', 'moto', 'registry', 'k8s', 'github']);
let demo: Demo;
let release = '';
let repo = '';
/** act runs the consumer's workflow, on push or dispatched with inputs. */
const act = (workflow: string, inputs?: Record<string, string>) => runWorkflow({ repo, release, bed }, workflow, inputs);

/** The probed application: answers 200 and notes the prod Ingress's canary weights at each probe. */
let probe: Server;
let probeUrl = '';
const probed: string[] = [];
const canaryKey = 'alb.ingress.kubernetes.io/actions.app-canary';

beforeAll(async () => {
  demo = await setUpDemo(bed, { eks: true, prod: 'eks-ingress' });
  const { connection } = await bedside(bed.k8s);
  probe = createServer((_req, res) => {
    void connection.networking.readNamespacedIngress({ namespace: 'prod', name: 'app' }).then((ingress) => {
      const action = ingress.metadata?.annotations?.[canaryKey];
      const groups = action
        ? (JSON.parse(action) as { forwardConfig: { targetGroups: { serviceName: string; weight: number }[] } }).forwardConfig.targetGroups
        : [];
      probed.push(
        groups.map((g) => `${g.serviceName}=${g.weight}`).join(',') ||
          `backend ${ingress.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name}`,
      );
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  probeUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/healthz`;
  release = expeditorRelease(join(bed.dir, 'expeditor'));
  repo = join(bed.dir, 'shop');
}, 300_000);

afterAll(() => new Promise<void>((r) => (probe ? probe.close(() => r()) : r())));

describe('workflows under act: EKS staging and prod', () => {
  test('build once → dev → staging (EKS selector switch to green) → prod (Ingress canary 10/50/100)', async () => {
    const sha = consumerRepo(repo, {
      '.github/expeditor.yml': demo.config,
      '.github/workflows/delivery.yml': deliveryWorkflow(bed.registry.baseImage, ['dev', 'staging', 'prod'], {
        prod: { 'step-pause': '1s', 'probe-url': probeUrl },
      }),
    });
    const run = await act('delivery');
    expect(run.code, show(run)).toBe(0);
    const image = builtImage(run);
    const { connection } = await bedside(bed.k8s);
    const ns = demo.staging!.namespace;
    const stable = await connection.core.readNamespacedService({ name: 'app', namespace: ns });
    expect(stable.spec?.selector).toEqual({ app: 'app', version: 'green' });
    const green = await connection.apps.readNamespacedDeployment({ name: 'app-green', namespace: ns });
    expect(green.spec?.template.spec?.containers[0]?.image).toBe(image);
    const slices = await connection.discovery.listNamespacedEndpointSlice({
      namespace: ns,
      labelSelector: 'kubernetes.io/service-name=app',
    });
    const names = readyNames(slices.items);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => n.startsWith('app-green-'))).toBe(true);
    // prod: traffic moved through the Ingress in steps, each probed, and ends on green's Service.
    const ingress = await connection.networking.readNamespacedIngress({ namespace: 'prod', name: 'app' });
    expect(ingress.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name).toBe('app-green');
    expect(ingress.metadata?.annotations?.[canaryKey]).toBeUndefined();
    expect(probed.slice(0, 2)).toEqual(['app-blue=90,app-green=10', 'app-blue=50,app-green=50']);
    const prodGreen = await connection.apps.readNamespacedDeployment({ name: 'app-green', namespace: 'prod' });
    expect(prodGreen.spec?.template.spec?.containers[0]?.image).toBe(image);
    for (const env of ['dev', 'staging', 'prod']) {
      // The deploy, then (its first pass here) what ran before it: the live color on EKS, the
      // previous task definition and image on ECS, so a rollback can return to it.
      const [deployed, baseline] = bed.github.deployments(env);
      expect([deployed!.sha, (deployed!.payload as { image: string }).image, deployed!.statuses.at(-1)?.state], env).toEqual([
        sha,
        image,
        'success',
      ]);
      expect(baseline?.payload, env).toMatchObject({ baselineOf: deployed!.id, app: 'demo-app' });
      // ECS also knows the image that ran (deploy-ecs's previous-image); the EKS switch needs none.
      const before = (baseline!.payload as { image: string }).image;
      if (env === 'dev') expect(before, env).not.toBe('');
      else expect(before, env).toBe('');
      if (env !== 'dev') expect((baseline!.payload as { target: string }).target, env).toBe('blue');
      expect(bed.github.deployments(env)).toHaveLength(2);
    }
    expect(bed.github.malformed()).toEqual([]);
    console.log(
      `act: build → dev → staging (EKS) → prod (EKS Ingress canary) in ${(run.ms / 1000).toFixed(1)} s; probes saw ${probed.join(' | ')}`,
    );
  });

  // On the Ingress route the live color is the one the Ingress serves (the stable Service is not
  // moved there): a second deploy must bring up blue, not rewrite the live green in place.
  test('a second commit: staging and prod go back to blue with the new image, the previous color kept as it was', async () => {
    const { connection } = await bedside(bed.k8s);
    const before = (await connection.apps.readNamespacedDeployment({ name: 'app-green', namespace: 'prod' })).spec?.template.spec
      ?.containers[0]?.image;
    probed.length = 0;
    consumerRepo(repo, { 'app/src/index.html.in': 'second version\n' });
    const run = await act('delivery');
    expect(run.code, show(run)).toBe(0);
    const image = builtImage(run);
    for (const ns of ['staging', 'prod']) {
      const blue = await connection.apps.readNamespacedDeployment({ name: 'app-blue', namespace: ns });
      expect(blue.spec?.template.spec?.containers[0]?.image, ns).toBe(image);
    }
    expect((await connection.core.readNamespacedService({ name: 'app', namespace: 'staging' })).spec?.selector?.version).toBe('blue');
    const ingress = await connection.networking.readNamespacedIngress({ namespace: 'prod', name: 'app' });
    expect(ingress.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name).toBe('app-blue');
    expect(
      (await connection.apps.readNamespacedDeployment({ name: 'app-green', namespace: 'prod' })).spec?.template.spec?.containers[0]?.image,
    ).toBe(before);
  });
});

/** The consumer's dispatchable deploy, held for approval (the image need not have passed dev). */
const heldDeploy = dispatchWorkflow(
  'deploy',
  { environment: 'required', image: 'required', 'approval-environment': 'required', 'preview-url': 'optional' },
  { 'promotion-gate': 'false' },
);

// Independent of the tests above: each reads the live color first (blue on a fresh bed).
describe('workflows under act: EKS approval while held (staging, Service selector)', () => {
  const previewUrl = 'http://preview.staging.demo-app.bed.example';
  let n = 0;
  /** A new image of the app by digest (the bed's kubelet is KWOK: no pull). */
  const newImage = (): string => `${demo.repository}@sha256:${(++n).toString(16).padStart(64, 'e')}`;
  const other = (color: string): string => (color === 'blue' ? 'green' : 'blue');
  const selectorColor = async (name: string): Promise<string | undefined> => {
    const { connection } = await bedside(bed.k8s);
    return (await connection.core.readNamespacedService({ name, namespace: 'staging' })).spec?.selector?.version;
  };
  const colorDeployment = async (color: string) => {
    const { connection } = await bedside(bed.k8s);
    return connection.apps.readNamespacedDeployment({ name: `app-${color}`, namespace: 'staging' });
  };
  /** The deploy of `image` to staging (not the baseline a first deploy records after it). */
  const record = (image: string) =>
    bed.github.deployments('staging').find((d) => {
      const payload = d.payload as { image?: string; baselineOf?: number };
      return payload.image === image && payload.baselineOf === undefined;
    });

  /**
   * act dispatches the held deploy of `image`. When its Deployment is first described as waiting
   * for approval (the deploy job's last step), the stable Service's color is read then. `reject`:
   * GitHub answers the next request — the approve job's check — 403 (act has no reviewers to
   * reject: the approve job failing before its switch stands for a rejection). `failAfterSwitch`:
   * once the stable Service selects that color, GitHub answers the next request — the approve
   * job's record of success — 403.
   */
  async function heldDeployRun(
    image: string,
    fault: { reject?: boolean; failAfterSwitch?: string } = {},
  ): Promise<{ run: ActRun; colorAtHold: string | undefined }> {
    consumerRepo(repo, { '.github/expeditor.yml': demo.config, '.github/workflows/deploy.yml': heldDeploy });
    let atHold: Promise<string | undefined> | undefined;
    let reading = false;
    let faulted = false;
    const watch = setInterval(() => {
      if (!atHold && record(image)?.statuses.at(-1)?.description.includes('waiting for approval')) {
        if (fault.reject) bed.github.fault(403, 1);
        atHold = selectorColor('app');
      }
      if (atHold && fault.failAfterSwitch && !faulted && !reading) {
        reading = true;
        void selectorColor('app')
          .then((color) => {
            if (color === fault.failAfterSwitch && !faulted) {
              faulted = true;
              bed.github.fault(403, 1);
            }
          })
          .finally(() => (reading = false));
      }
    }, 20);
    let run: ActRun;
    try {
      run = await act('deploy', { environment: 'staging', image, 'approval-environment': 'staging-approval', 'preview-url': previewUrl });
    } finally {
      clearInterval(watch);
    }
    if (fault.failAfterSwitch) expect(faulted).toBe(true);
    return { run, colorAtHold: await atHold };
  }

  /**
   * After a recover job: the stable Service selects the live color, whose pods alone are its ready
   * endpoints and whose replicas are as they were; the held color runs `image` at zero replicas;
   * the Deployment went in_progress, in_progress (held), failure with `description`.
   */
  async function expectRecovered(e: { live: string; liveReplicas: number | undefined; image: string; description: string }): Promise<void> {
    expect(await selectorColor('app')).toBe(e.live);
    const held = await colorDeployment(other(e.live));
    expect(held.spec?.template.spec?.containers[0]?.image).toBe(e.image);
    expect(held.spec?.replicas).toBe(0);
    expect((await colorDeployment(e.live)).spec?.replicas).toBe(e.liveReplicas);
    const { connection } = await bedside(bed.k8s);
    const slices = await connection.discovery.listNamespacedEndpointSlice({
      namespace: 'staging',
      labelSelector: 'kubernetes.io/service-name=app',
    });
    const names = readyNames(slices.items);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((name) => name.startsWith(`app-${e.live}-`))).toBe(true);
    const deployed = record(e.image)!;
    expect(deployed.statuses.map((s) => s.state)).toEqual(['in_progress', 'in_progress', 'failure']);
    expect(deployed.statuses.at(-1)!.description).toBe(e.description);
    expect(bed.github.malformed()).toEqual([]);
  }

  test('held on preview, then approved: the approve job moves the selector, and only then is the Deployment a success', async () => {
    const live = (await selectorColor('app'))!;
    const target = other(live);
    const image = newImage();
    const { run, colorAtHold } = await heldDeployRun(image);
    expect(run.code, show(run)).toBe(0);
    // While the Deployment waited for approval, traffic was still on the live color.
    expect(colorAtHold).toBe(live);
    expect(await selectorColor('app')).toBe(target);
    expect(await selectorColor('app-preview')).toBe(target);
    expect((await colorDeployment(target)).spec?.template.spec?.containers[0]?.image).toBe(image);
    const deployed = record(image)!;
    expect(deployed.statuses.map((s) => [s.state, s.description])).toEqual([
      ['in_progress', 'deploying'],
      ['in_progress', `${target} up on preview, waiting for approval in staging-approval`],
      ['success', 'deployed'],
    ]);
    expect(deployed.statuses[1]!.environmentUrl).toBe(previewUrl);
    // The switch ran in the approve job (its own GitHub environment), not in the deploy job.
    expect(run.output).toMatch(/\/approve\].*Success - Main Switch traffic/);
    expect(run.output).not.toMatch(/\/deploy\].*Main Switch traffic/);
    // And the approve job found the selector still on the live color when it switched.
    expect(run.output).toMatch(new RegExp(`/approve\\].*switched Service app from ${live} to ${target}`));
    expect(run.output).toMatch(/\/deploy\].*Success - Main Hold for approval/);
    expect(run.output).not.toMatch(/\/recover\]/);
    expect(bed.github.malformed()).toEqual([]);
  }, 600_000);

  test('held on preview, not approved (the approve job fails before its switch): traffic stays on the live color, the held color is scaled to zero, failure recorded', async () => {
    const live = (await selectorColor('app'))!;
    const target = other(live);
    const liveReplicas = (await colorDeployment(live)).spec?.replicas;
    expect(liveReplicas).toBeGreaterThan(0);
    const image = newImage();
    const { run, colorAtHold } = await heldDeployRun(image, { reject: true });
    expect(run.code).not.toBe(0);
    expect(colorAtHold).toBe(live);
    expect(run.output).toMatch(/\/approve\].*Failure - Main Check the deployment is still held/);
    expect(run.output).not.toMatch(/\/approve\].*Main Switch traffic/);
    expect(run.output).toMatch(/\/recover\].*Success - Main Scale the held color down \(EKS\)/);
    expect(run.output).not.toMatch(/\/recover\].*Main Switch back/);
    // The selector never moved; the held color was brought up with the image, then scaled to zero.
    await expectRecovered({
      live,
      liveReplicas,
      image,
      description: `not switched (approval job failure), traffic left on the live color, ${target} scaled down`,
    });
  }, 600_000);

  test('approved, but the approve job fails after its switch (its record of success refused): the recover job switches back, scales the held color down, records failure', async () => {
    const live = (await selectorColor('app'))!;
    const target = other(live);
    const liveReplicas = (await colorDeployment(live)).spec?.replicas;
    const image = newImage();
    const { run, colorAtHold } = await heldDeployRun(image, { failAfterSwitch: target });
    expect(run.code).not.toBe(0);
    expect(colorAtHold).toBe(live);
    // The held color was brought up (again, after the rejection above scaled it to zero) and switched to.
    expect(run.output).toMatch(new RegExp(`/approve\\].*switched Service app from ${live} to ${target}`));
    expect(run.output).toMatch(/\/approve\].*Failure - Main Record the outcome/);
    expect(run.output).toMatch(/\/recover\].*Success - Main Switch back \(EKS\)/);
    expect(run.output).toMatch(/\/recover\].*Success - Main Scale the held color down \(EKS\)/);
    await expectRecovered({
      live,
      liveReplicas,
      image,
      description: `switched back (approval job failure), traffic left on the live color, ${target} scaled down`,
    });
  }, 600_000);
});

// A second app, cart, in its own namespace of the staging cluster, never deployed before: its
// environment file's switch plan is checked before anything (deploy.yml's check job runs the
// switch's validate-only), its first deploy held for approval and not approved leaves its live
// color serving and records the failure, and after its first approved deploy a rollback returns
// to what ran before it (the baseline the first pass recorded).
describe('workflows under act: a first deploy of another app on EKS (cart, Service selector)', () => {
  const ns = 'cart';
  const CART = '.github/cart.yml';
  const CART_BAD = '.github/cart-bad.yml';
  let n = 0;
  const cartImage = (): string => `${bed.registry.host}/cart@sha256:${(++n).toString(16).padStart(64, 'c')}`;
  const cartDeployments = () => bed.github.deployments('staging').filter((d) => (d.payload as { app?: string }).app === 'cart');
  const k8s = async () => (await bedside(bed.k8s)).connection;
  const selector = async (): Promise<string | undefined> =>
    (await (await k8s()).core.readNamespacedService({ name: 'cart', namespace: ns })).spec?.selector?.version;
  const color = async (c: string) => (await k8s()).apps.readNamespacedDeployment({ name: `cart-${c}`, namespace: ns });

  beforeAll(async () => {
    const b = await bedside(bed.k8s);
    await b.connection.core.createNamespace({ body: { metadata: { name: ns } } });
    await waitUntil(b.connection, {
      sources: {
        sa: {
          path: `/api/v1/namespaces/${ns}/serviceaccounts`,
          list: () => b.connection.core.listNamespacedServiceAccount({ namespace: ns }),
        },
      },
      check: ({ sa }) => (sa.some((x) => x.metadata?.name === 'default') ? true : undefined),
    });
    await b.connection.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('cart', 'blue', `${bed.registry.host}/cart:bootstrap`, 1),
    });
    await b.connection.core.createNamespacedService({ namespace: ns, body: service('cart', { app: 'cart', version: 'blue' }) });
    await waitAvailable(b, ns, 'cart-blue');
    const role = await deployRole(bed, ACCOUNTS.staging);
    const config = [
      'app: cart',
      `image: { repository: ${bed.registry.host}/cart }`,
      'environments:',
      '  staging:',
      `    aws: { account: "${ACCOUNTS.staging}", region: ${bed.moto.region}, role: "${role}" }`,
      `    eks: { cluster: ${demo.staging!.cluster}, namespace: ${ns}, services: [cart] }`,
      '',
    ].join('\n');
    consumerRepo(repo, {
      [CART]: config,
      // A check condition only the switch reads (deploy-eks's plan has no analysis).
      [CART_BAD]: `${config}    analysis: { checks: [{ name: up, provider: http, url: "http://127.0.0.1:9/healthz", success: "result <" }] }\n`,
      '.github/workflows/cart-deploy.yml': dispatchWorkflow(
        'deploy',
        { environment: 'required', image: 'required', config: 'required', 'approval-environment': 'optional' },
        { 'promotion-gate': 'false' },
      ),
      '.github/workflows/cart-rollback.yml': dispatchWorkflow('rollback', { environment: 'required', config: 'required' }),
    });
  }, 300_000);

  test("an analysis condition the switch would refuse is refused by the check job: no Deployment, no AWS call, cart's cluster untouched", async () => {
    const since = Date.now();
    const requests = bed.github.requests().length;
    const run = await act('cart-deploy', { environment: 'staging', image: cartImage(), config: CART_BAD, 'approval-environment': '' });
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/\/check\].*Success - Main Check the EKS deploy \(validate-only\)/);
    expect(run.output).toMatch(/\/check\].*Failure - Main Check the traffic switch \(validate-only\)/);
    expect(run.output).toMatch(/environments\.staging\.analysis\.checks\.0\.success.*"result <"/);
    expect(run.output).not.toContain('expeditor deploy/deploy]');
    expect(bed.github.requests().length).toBe(requests);
    expect(cartDeployments()).toEqual([]);
    expect((await bed.moto.control<{ calls: unknown[] }>('calls', { since })).calls).toEqual([]);
    await expect(color('green')).rejects.toMatchObject({ code: 404 });
    expect(await selector()).toBe('blue');
  }, 600_000);

  test('its first deploy, held and not approved: blue still serves, green is scaled to zero, failure recorded and no baseline', async () => {
    const image = cartImage();
    let held = false;
    const watch = setInterval(() => {
      if (!held && cartDeployments().at(-1)?.statuses.at(-1)?.description.includes('waiting for approval')) {
        held = true;
        // The approve job's first request (its check that the deployment is still held) refused: a rejection.
        bed.github.fault(403, 1);
      }
    }, 20);
    let run: ActRun;
    try {
      run = await act('cart-deploy', { environment: 'staging', image, config: CART, 'approval-environment': 'staging-approval' });
    } finally {
      clearInterval(watch);
    }
    expect(held).toBe(true);
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/\/check\].*Success - Main Check the traffic switch \(validate-only\)/);
    expect(run.output).toMatch(/\/approve\].*Failure - Main Check the deployment is still held/);
    expect(run.output).not.toMatch(/\/approve\].*Main Switch traffic/);
    expect(await selector()).toBe('blue');
    expect((await color('blue')).spec?.replicas).toBe(1);
    const green = await color('green');
    expect(green.spec?.template.spec?.containers[0]?.image).toBe(image);
    expect(green.spec?.replicas).toBe(0);
    const records = cartDeployments();
    expect(records).toHaveLength(1);
    expect((records[0]!.payload as { image: string }).image).toBe(image);
    expect(records[0]!.statuses.map((s) => s.state)).toEqual(['in_progress', 'in_progress', 'failure']);
    expect(records[0]!.statuses.at(-1)!.description).toBe(
      'not switched (approval job failure), traffic left on the live color, green scaled down',
    );
    expect(bed.github.malformed()).toEqual([]);
  }, 600_000);

  test('its first approved deploy records what ran before it (blue), and a rollback right after returns to it', async () => {
    const image = cartImage();
    const run = await act('cart-deploy', { environment: 'staging', image, config: CART, 'approval-environment': 'staging-approval' });
    expect(run.code, show(run)).toBe(0);
    expect(await selector()).toBe('green');
    const [, deployed, baseline] = cartDeployments();
    expect(deployed!.statuses.at(-1)?.state).toBe('success');
    expect(baseline!.payload).toMatchObject({ baselineOf: deployed!.id, app: 'cart', target: 'blue' });
    const back = await act('cart-rollback', { environment: 'staging', config: CART });
    expect(back.code, show(back)).toBe(0);
    expect(back.output).toMatch(/\/check\].*Success - Main Check the switch back \(validate-only\)/);
    expect(await selector()).toBe('blue');
    const rollback = cartDeployments().at(-1)!;
    expect(rollback.payload).toMatchObject({ rollbackOf: deployed!.id });
    expect(rollback.statuses.at(-1)?.state).toBe('success');
    expect(
      cartDeployments()
        .find((d) => d.id === deployed!.id)!
        .statuses.at(-1)?.state,
    ).toBe('error');
    expect(bed.github.malformed()).toEqual([]);
  }, 600_000);
});

// prod's Ingress route with approval: the canary runs in the approve job, after the approval.
describe('workflows under act: EKS approval while held (prod, Ingress canary)', () => {
  const backend = async (): Promise<string | undefined> => {
    const { connection } = await bedside(bed.k8s);
    const ingress = await connection.networking.readNamespacedIngress({ namespace: 'prod', name: 'app' });
    return ingress.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name;
  };

  test('held on preview, then approved: the Ingress stays on the live color until the approve job runs the canary', async () => {
    const live = (await backend())!;
    const target = live === 'app-blue' ? 'app-green' : 'app-blue';
    const image = `${demo.repository}@sha256:${'d'.repeat(64)}`;
    consumerRepo(repo, {
      '.github/expeditor.yml': demo.config,
      '.github/workflows/deploy-prod.yml': dispatchWorkflow(
        'deploy',
        {
          environment: 'required',
          image: 'required',
          'approval-environment': 'required',
          'step-pause': 'required',
          'probe-url': 'required',
        },
        { 'promotion-gate': 'false' },
      ),
    });
    const held = () =>
      bed.github
        .deployments('prod')
        .find((d) => (d.payload as { image?: string }).image === image)
        ?.statuses.at(-1)
        ?.description.includes('waiting for approval');
    let atHold: Promise<string | undefined> | undefined;
    const watch = setInterval(() => {
      if (!atHold && held()) atHold = backend();
    }, 20);
    probed.length = 0;
    let run: ActRun;
    try {
      run = await act('deploy-prod', {
        environment: 'prod',
        image,
        'approval-environment': 'prod-approval',
        'step-pause': '1s',
        'probe-url': probeUrl,
      });
    } finally {
      clearInterval(watch);
    }
    expect(run.code, show(run)).toBe(0);
    expect(run.output).toMatch(/\/check\].*Success - Main Check the traffic switch \(validate-only\)/);
    expect(await atHold).toBe(live);
    // No probe before the approve job's canary: its steps were 10 and 50 % to the target.
    const weights = (share: number) =>
      [live, target]
        .map((s) => `${s}=${s === target ? share : 100 - share}`)
        .sort()
        .join(',');
    expect(probed.slice(0, 2).map((p) => p.split(',').sort().join(','))).toEqual([weights(10), weights(50)]);
    expect(await backend()).toBe(target);
    const { connection } = await bedside(bed.k8s);
    const ingress = await connection.networking.readNamespacedIngress({ namespace: 'prod', name: 'app' });
    expect(ingress.metadata?.annotations?.[canaryKey]).toBeUndefined();
    const deployed = bed.github.deployments('prod').find((d) => (d.payload as { image?: string }).image === image)!;
    expect(deployed.statuses.map((s) => s.state)).toEqual(['in_progress', 'in_progress', 'success']);
    expect(run.output).toMatch(/\/approve\].*Success - Main Switch traffic/);
    expect(run.output).not.toMatch(/\/deploy\].*Main Switch traffic/);
    expect(bed.github.malformed()).toEqual([]);
  }, 600_000);
});
