// The main bed scenarios of the actions, run through the committed bundles with a fault proxy
// (fault-proxy.ts) between them and the servers, each judged by its end state: completed, the
// state the same as without faults, and no duplicate write (task definition revision, CodeDeploy
// deployment, Kubernetes Deployment, switch, a second build and push, GitHub Deployment or
// status). Shared by the fault tests (short runs: faults.test.ts for the deploy actions,
// faults-tools.test.ts for build-image, assume-env and deployment-record) and
// bench/faults.bench.ts (the matrix at 10 %).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parse, stringify } from 'yaml';
import { ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { ListDeploymentsCommand } from '@aws-sdk/client-codedeploy';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { githubOidcRole } from '../bed/aws-roles.ts';
import type { DockerPart, GitHubPart, K8sPart, MotoPart, OidcPart, RegistryPart } from '../bed/types.ts';
import { noEngineEnv, shaOf } from './build-image-bed.ts';
import { type BundleRun, jobWorkspace, noAmbientAws, root, runBundle as runStep } from './bundle-run.ts';
import { blueGreenService, blueGreenTarget, digestImage, rollingService, runBundle } from './deploy-ecs-bed.ts';
import { image, kubeconfigConnection, workspace } from './deploy-eks-bed.ts';
import { testCertificate } from './recording-proxy.ts';
import { repositoryOf } from '../../packages/shared/src/patterns.ts';
import { faultProxy, once, type FaultPlan, type FaultProxy, type Flavor, type RequestInfo } from './fault-proxy.ts';

export interface Outcome {
  scenario: string;
  completed: boolean;
  duplicates: number;
  wrongEnd: string | undefined;
  faults: number;
  requests: number;
  log: string;
}

/** A bundle run's outcome: completed when it exited 0, and then judged by `wrong`. */
function outcomeOf(
  scenario: string,
  run: { status: number | null; log: string },
  proxy: FaultProxy,
  duplicates: number,
  wrong: string | undefined,
): Outcome {
  return {
    scenario,
    completed: run.status === 0,
    duplicates,
    wrongEnd: run.status === 0 ? wrong : undefined,
    faults: proxy.injected.length,
    requests: proxy.requests,
    log: run.log,
  };
}

/** Lost answers of the writes that must not be repeated, on top of the random faults. */
export function lostWrites(plan: FaultPlan, ...operations: ((r: RequestInfo) => boolean)[]): FaultPlan {
  const picks = operations.map((m) => once(m, 'reset-after'));
  return { ...plan, pick: (r) => picks.map((p) => p(r)).find(Boolean) };
}
export const awsOperation = (name: string) => (r: RequestInfo) => r.operation === name || r.operation?.endsWith(`.${name}`) === true;
export const kubeWrite = (method: string, resource: string) => (r: RequestInfo) => r.method === method && r.path.includes(`/${resource}`);

let accounts = 0;
const nextAccount = (): string => String(810_000_000_000 + ++accounts * 7);

async function viaProxy<T>(
  upstream: string,
  flavor: Flavor,
  plan: FaultPlan,
  run: (proxy: FaultProxy) => Promise<T>,
  tls?: { key: string; cert: string },
): Promise<{ value: T; proxy: FaultProxy }> {
  const proxy = await faultProxy(upstream, flavor, plan, tls);
  try {
    return { value: await run(proxy), proxy };
  } finally {
    await proxy.close();
  }
}

/** deploy-ecs rolling: one new revision, the service on it, its rollout completed. */
export async function ecsRolling(moto: MotoPart, plan: FaultPlan): Promise<Outcome> {
  const account = nextAccount();
  const fx = await rollingService(moto, { account });
  const img = digestImage();
  const { value: run, proxy } = await viaProxy(moto.endpoint, 'aws', plan, (p) =>
    runBundle('deploy-ecs', { image: img, cluster: fx.cluster, service: fx.service }, { ...moto.env(account), AWS_ENDPOINT_URL: p.url }),
  );
  const revisions = (await fx.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: fx.family }))).taskDefinitionArns ?? [];
  const service = await fx.describe();
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  const wrong =
    primary?.taskDefinition !== revisions.at(-1)
      ? `the service runs ${primary?.taskDefinition}, not the newest revision`
      : primary?.rolloutState !== 'COMPLETED'
        ? `rollout ${primary?.rolloutState}`
        : undefined;
  return outcomeOf('deploy-ecs rolling', run, proxy, Math.max(0, revisions.length - 2), wrong);
}

/** deploy-ecs blue/green through CodeDeploy: one new revision, one deployment, Succeeded. */
export async function ecsBlueGreen(moto: MotoPart, plan: FaultPlan): Promise<Outcome> {
  const account = nextAccount();
  const fx = await blueGreenService(moto, { account });
  const { value: run, proxy } = await viaProxy(moto.endpoint, 'aws', plan, (p) =>
    runBundle(
      'deploy-ecs',
      { image: digestImage('127.0.0.1:5000/shop/web'), ...blueGreenTarget(fx) },
      { ...moto.env(account), AWS_ENDPOINT_URL: p.url },
    ),
  );
  const revisions = (await fx.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: fx.family }))).taskDefinitionArns ?? [];
  const deployments =
    (await fx.codedeploy.send(new ListDeploymentsCommand({ applicationName: fx.application, deploymentGroupName: fx.group })))
      .deployments ?? [];
  return {
    scenario: 'deploy-ecs blue/green',
    completed: run.status === 0,
    duplicates: Math.max(0, revisions.length - 2) + Math.max(0, deployments.length - 1),
    wrongEnd: run.status === 0 && run.outputs.status !== 'Succeeded' ? `status ${run.outputs.status}` : undefined,
    faults: proxy.injected.length,
    requests: proxy.requests,
    log: run.log,
  };
}

let certs: { key: string; cert: string } | undefined;
/** A self-signed certificate for the proxy in front of the apiserver (the kubeconfig skips its check). */
export function proxyCertificate(): { key: string; cert: string } {
  certs ??= testCertificate(mkdtempSync(join(tmpdir(), 'fault-proxy-tls-')), ['127.0.0.1']);
  return certs;
}

/** The bed's kubeconfig, pointed at the proxy. */
export function kubeconfigVia(k8s: K8sPart, proxy: FaultProxy): string {
  const config = parse(readFileSync(k8s.kubeconfig, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
  for (const c of config.clusters) {
    c.cluster.server = proxy.url;
    delete c.cluster['certificate-authority-data'];
    c.cluster['insecure-skip-tls-verify'] = true;
  }
  const file = join(mkdtempSync(join(tmpdir(), 'fault-kubeconfig-')), 'kubeconfig');
  writeFileSync(file, stringify(config));
  return file;
}

const manifest = (ns: string) => `apiVersion: v1
kind: Service
metadata: { name: shop, namespace: ${ns} }
spec:
  selector: { app: shop }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: shop, namespace: ${ns}, labels: { app: shop } }
spec:
  replicas: 2
  selector: { matchLabels: { app: shop } }
  template:
    metadata: { labels: { app: shop } }
    spec: { containers: [{ name: shop, image: registry.bed/shop:0, ports: [{ containerPort: 8080 }] }] }
`;

/** deploy-eks twice (blue, then green) and a switch, through the proxy: one Deployment per color, the Service on green once. */
export async function eksDeployAndSwitch(k8s: K8sPart, plan: FaultPlan): Promise<Outcome> {
  const c = await kubeconfigConnection(k8s);
  const ns = `faults-${randomBytes(3).toString('hex')}`;
  await c.core.createNamespace({ body: { metadata: { name: ns } } });
  const ws = workspace();
  writeFileSync(join(ws, 'shop.yaml'), manifest(ns));
  const logs: string[] = [];
  const { value: ok, proxy } = await viaProxy(
    k8s.server,
    'kube',
    plan,
    async (p) => {
      const kubeconfig = kubeconfigVia(k8s, p);
      for (const n of [1, 2]) {
        const r = await runBundle(
          'deploy-eks',
          // A deadline well short of the test's: a wait that never ends says where it stood.
          { image: image(n), services: 'shop', manifest: 'shop.yaml', kubeconfig, timeout: '90s' },
          {},
          { workspace: ws },
        );
        logs.push(r.log);
        if (r.status !== 0) return false;
      }
      const s = await runBundle(
        'bluegreen-switch',
        { platform: 'eks', kubeconfig, namespace: ns, service: 'shop', 'target-color': 'green', timeout: '90s' },
        { GITHUB_SHA: 'c'.repeat(40) },
        { workspace: ws },
      );
      logs.push(s.log);
      return s.status === 0;
    },
    proxyCertificate(),
  );
  const deployments = (await c.apps.listNamespacedDeployment({ namespace: ns })).items.map((d) => d.metadata?.name).sort();
  const stable = await c.core.readNamespacedService({ name: 'shop', namespace: ns }).catch(() => undefined);
  const green = await c.apps.readNamespacedDeployment({ name: 'shop-green', namespace: ns }).catch(() => undefined);
  const wrong =
    stable?.spec?.selector?.version !== 'green'
      ? `Service shop selects ${stable?.spec?.selector?.version}`
      : green?.spec?.template.spec?.containers[0]?.image !== image(2)
        ? 'green does not run the second image'
        : undefined;
  return {
    scenario: 'deploy-eks ×2 + switch',
    completed: ok,
    duplicates: Math.max(0, deployments.length - 2),
    wrongEnd: ok ? wrong : undefined,
    faults: proxy.injected.length,
    requests: proxy.requests,
    log: logs.join('\n'),
  };
}

/**
 * deploy-eks given an image by tag: the tag resolved to its digest through the registry behind the
 * proxy (registry flavor; the Kubernetes API direct), then the first deploy. End state: the
 * Deployment runs the image by the digest the registry holds for the tag, one Deployment.
 */
export async function eksDeployByTag(bed: { k8s: K8sPart; registry: RegistryPart }, plan: FaultPlan): Promise<Outcome> {
  const c = await kubeconfigConnection(bed.k8s);
  const ns = `faults-${randomBytes(3).toString('hex')}`;
  await c.core.createNamespace({ body: { metadata: { name: ns } } });
  const ws = workspace();
  writeFileSync(join(ws, 'shop.yaml'), manifest(ns));
  const repository = repositoryOf(bed.registry.baseImage);
  const tag = bed.registry.baseImage.slice(repository.length + 1);
  const { value: run, proxy } = await viaProxy(bed.registry.url, 'registry', plan, (p) =>
    runBundle(
      'deploy-eks',
      {
        image: `${repository.replace(bed.registry.host, p.url.replace('http://', ''))}:${tag}`,
        services: 'shop',
        container: 'shop',
        manifest: 'shop.yaml',
        kubeconfig: bed.k8s.kubeconfig,
        timeout: '90s',
      },
      {},
      { workspace: ws },
    ),
  );
  const deployments = (await c.apps.listNamespacedDeployment({ namespace: ns })).items;
  const running = deployments[0]?.spec?.template.spec?.containers[0]?.image;
  const digest = running?.split('@')[1];
  const wrong =
    digest !== bed.registry.baseDigest ? `the Deployment runs ${running}, not the tag's digest ${bed.registry.baseDigest}` : undefined;
  return outcomeOf('deploy-eks by tag (registry)', run, proxy, Math.max(0, deployments.length - 1), wrong);
}

// ---------------------------------------------------------------------------------------------
// build-image, assume-env and deployment-record: the registry, STS and the OIDC token endpoint,
// and the GitHub API through the proxy.

let builds = 0;

/**
 * build-image with buildah: examples/app built and pushed to a repository named on the proxy's
 * host:port (registry flavor), so buildah's push (blob uploads follow the registry's Location,
 * which names the proxy: fault-proxy.ts forwards the host it was asked by) and build-image's own
 * requests (does the tag exist, the digest read back, extra and inputs tags) all cross the
 * faults; then the same run again, which must find the tag and build nothing. The base image is
 * pulled from the registry directly: the bed's container config trusts only its own registries
 * over plain HTTP, and `buildah bud` takes no --tls-verify for the proxy's address. End state,
 * read from the registry itself: the tag and the extra tag point at the digest both runs output.
 */
export async function buildImage(
  bed: { registry: RegistryPart; docker?: DockerPart },
  plan: FaultPlan,
  builder: 'buildah' | 'buildx' = 'buildah',
): Promise<Outcome> {
  if (builder === 'buildx' && !bed.docker) throw new Error('the buildx scenario needs the bed part docker');
  // buildx: the bed's engine with its own builder (docker driver), which pushes to 127.0.0.0/8 over
  // plain HTTP; RUN steps take the host's network (the engine has no bridge).
  const builderEnv = builder === 'buildx' && bed.docker ? bed.docker.env : noEngineEnv(bed.registry);
  const name = `faults/build-${process.pid}-${++builds}`;
  const sha = shaOf(`${name}-${plan.seed}`);
  const logs: string[] = [];
  const { value: runs, proxy } = await viaProxy(bed.registry.url, 'registry', plan, async (p) => {
    const run = () =>
      runBundle(
        'build-image',
        {
          repository: `${p.url.replace('http://', '')}/${name}`,
          context: 'examples/app',
          'build-args': `BASE=${bed.registry.baseImage}\nVERSION=${sha.slice(0, 8)}`,
          'extra-tags': 'stable',
          ...(builder === 'buildx' ? { builder: 'buildx', network: 'host' } : {}),
        },
        { ...builderEnv, GITHUB_SHA: sha, GITHUB_SERVER_URL: 'https://github.com' },
        { workspace: root },
      );
    const first = await run();
    logs.push(first.log);
    if (first.status !== 0) return { first, again: undefined };
    const again = await run();
    logs.push(again.log);
    return { first, again };
  });
  const { first, again } = runs;
  const completed = first.status === 0 && again?.status === 0;
  const digest = first.outputs.digest;
  const held = await bed.registry.digest(name, sha);
  const stable = await bed.registry.digest(name, 'stable');
  const wrong =
    held !== digest
      ? `the registry holds ${held} under ${sha}, not ${digest} that the run output`
      : stable !== digest
        ? `the extra tag stable points at ${stable}, not ${digest}`
        : again?.outputs.digest !== digest
          ? `the re-run output ${again?.outputs.digest}, not ${digest}`
          : undefined;
  return {
    scenario: `build-image (${builder}) + re-run`,
    completed,
    // The re-run must find the tag: a second build and push is the duplicate here.
    duplicates: completed && again?.outputs.skipped !== 'true' ? 1 : 0,
    wrongEnd: completed ? wrong : undefined,
    faults: proxy.injected.length,
    requests: proxy.requests,
    log: logs.join('\n'),
  };
}

const PROD = '111111111111';
let prodRole: Promise<string> | undefined;

/**
 * A job's workspace whose environment file sends prod (account PROD) to a role trusting the bed's
 * OIDC tokens for acme/shop's prod environment (the role is made once per process), and that
 * role; the issuer's next tokens are for the prod environment.
 */
export async function prodJob(
  bed: { oidc: OidcPart; moto: MotoPart },
  prefix: string,
): Promise<{ account: string; roleArn: string; dir: string }> {
  prodRole ??= githubOidcRole(bed, { account: PROD, subject: { subLike: 'repo:acme/shop:environment:prod' } });
  const roleArn = await prodRole;
  bed.oidc.setClaims({ environment: 'prod' });
  const dir = jobWorkspace(
    [
      'app: shop',
      'image: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop }',
      'environments:',
      '  prod:',
      `    aws: { account: "${PROD}", region: us-west-2, role: "${roleArn}" }`,
      '',
    ].join('\n'),
    prefix,
  );
  return { account: PROD, roleArn, dir };
}

/**
 * The assume-env bundle for prod in `dir`, with the OIDC token request (the bed's issuer behind a
 * proxy of its own) and STS on moto each through a fault proxy; the faults and requests of both.
 */
export async function assumeEnvVia(
  bed: { oidc: OidcPart; moto: MotoPart },
  dir: string,
  plans: { oidc: FaultPlan; sts: FaultPlan },
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<{ run: BundleRun; faults: number; requests: number }> {
  const issuer = new URL(bed.oidc.issuer);
  const counted = { faults: 0, requests: 0 };
  const { value: run } = await viaProxy(issuer.origin, 'github', plans.oidc, async (oidc) => {
    // HOME is the workspace: nothing of this machine's home is read.
    const { value, proxy } = await viaProxy(bed.moto.endpoint, 'aws', plans.sts, (sts) =>
      runStep(
        'assume-env',
        { environment: 'prod', ...inputs },
        {
          ...env,
          ...noAmbientAws(dir),
          ACTIONS_ID_TOKEN_REQUEST_URL: bed.oidc.requestUrl.replace(issuer.origin, oidc.url),
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: bed.oidc.requestToken,
          AWS_ENDPOINT_URL: sts.url,
        },
        { workspace: dir },
      ),
    );
    counted.faults += proxy.injected.length + oidc.injected.length;
    counted.requests += proxy.requests + oidc.requests;
    return value;
  });
  return { run, ...counted };
}

/**
 * assume-env for prod: the OIDC token request (the bed's issuer behind a proxy of its own, with a
 * seed of its own) and STS on moto (AssumeRoleWithWebIdentity, the GetCallerIdentity check)
 * through faults. Nothing is written, so nothing can be duplicated; the end state is the
 * credentials exported, which STS (asked directly) must know as the prod role's session.
 */
export async function assumeEnv(bed: { oidc: OidcPart; moto: MotoPart }, plan: FaultPlan): Promise<Outcome> {
  const { roleArn, dir } = await prodJob(bed, 'fault-assume-env-');
  const { run, faults, requests } = await assumeEnvVia(bed, dir, { oidc: { ...plan, seed: plan.seed + 7_919 }, sts: plan });
  let wrong: string | undefined;
  if (run.status === 0) {
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = run.exported;
    const identity = await new STSClient({
      endpoint: bed.moto.endpoint,
      region: bed.moto.region,
      credentials: { accessKeyId: accessKeyId ?? '', secretAccessKey: secretAccessKey ?? '', sessionToken },
    })
      .send(new GetCallerIdentityCommand({}))
      .catch((error: unknown) => ({ Account: undefined, Arn: `not known to STS: ${String(error)}` }));
    const roleName = roleArn.split('/').at(-1);
    wrong =
      run.outputs.account !== PROD || run.outputs['role-arn'] !== roleArn
        ? `outputs account ${run.outputs.account}, role ${run.outputs['role-arn']}`
        : identity.Account !== PROD || !identity.Arn?.includes(`:assumed-role/${roleName}/`)
          ? `the exported credentials are ${identity.Arn} (account ${identity.Account})`
          : undefined;
  }
  return {
    scenario: 'assume-env',
    completed: run.status === 0,
    duplicates: 0,
    wrongEnd: wrong,
    faults,
    requests,
    log: run.log,
  };
}

/** POSTs of a GitHub Deployment and of a Deployment's status (the writes deployment-record must not repeat). */
export const githubCreate = (r: RequestInfo) => r.method === 'POST' && /\/deployments$/.test(r.path);
export const githubStatus = (r: RequestInfo) => r.method === 'POST' && /\/deployments\/\d+\/statuses$/.test(r.path);

let recordWorkspace: string | undefined;

/** A job's workspace (one per process) with examples/expeditor.yml as its environment file: dev, staging (from dev), prod. */
export function exampleJob(): string {
  recordWorkspace ??= jobWorkspace(
    readFileSync(join(root, 'examples/expeditor.yml'), 'utf8').replace(
      '# yaml-language-server: $schema=../schema/expeditor.schema.json\n',
      '',
    ),
    'fault-record-',
  );
  return recordWorkspace;
}
let recorded = 0;

/**
 * deployment-record through the GitHub server's proxy, as a pipeline records an image: start and
 * finish (success) in dev, then start in staging (its promotion gate reads dev's deployments and
 * statuses) and finish there. End state, read from the server: in each environment exactly one
 * Deployment of the image, the one the run output, with the statuses in_progress, success.
 */
export async function deploymentRecord(github: GitHubPart, plan: FaultPlan): Promise<Outcome> {
  const workspace = exampleJob();
  const image = `127.0.0.1:5000/demo-app@sha256:${(0xfa0000 + ++recorded).toString(16).padStart(8, '0').repeat(8)}`;
  const logs: string[] = [];
  const ids: Record<string, string | undefined> = {};
  const { value: ok, proxy } = await viaProxy(github.apiUrl, 'github', plan, async (p) => {
    const record = async (inputs: Record<string, string>) => {
      const r = await runBundle(
        'deployment-record',
        { token: github.token, ...inputs },
        { ...github.env, GITHUB_API_URL: p.url, GITHUB_SHA: 'f'.repeat(40) },
        { workspace },
      );
      logs.push(r.log);
      return r;
    };
    for (const environment of ['dev', 'staging']) {
      const started = await record({ mode: 'start', environment, image });
      if (started.status !== 0) return false;
      ids[environment] = started.outputs['deployment-id'];
      const finished = await record({ mode: 'finish', environment, 'deployment-id': ids[environment] ?? '', state: 'success' });
      if (finished.status !== 0) return false;
    }
    return true;
  });
  let duplicates = 0;
  const wrong: string[] = [];
  for (const environment of ['dev', 'staging']) {
    const ours = github.deployments(environment).filter((d) => (d.payload as { image?: string } | undefined)?.image === image);
    duplicates += Math.max(0, ours.length - 1) + ours.reduce((sum, d) => sum + Math.max(0, d.statuses.length - 2), 0);
    const states = ours.map((d) => `${d.id}: ${d.statuses.map((s) => s.state).join(',')}`).join('; ');
    if (ours.length === 0 || String(ours[0]?.id) !== ids[environment]) {
      wrong.push(`${environment}: deployments ${states || 'none'}, the run output ${ids[environment]}`);
    } else if (ours[0]?.statuses.map((s) => s.state).join(',') !== 'in_progress,success') {
      wrong.push(`${environment}: ${states}`);
    }
  }
  return {
    scenario: 'deployment-record dev + staging',
    completed: ok,
    duplicates,
    wrongEnd: ok && wrong.length ? wrong.join('; ') : undefined,
    faults: proxy.injected.length,
    requests: proxy.requests,
    log: logs.join('\n'),
  };
}
