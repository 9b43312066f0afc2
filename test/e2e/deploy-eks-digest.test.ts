// deploy-eks pins images given by tag: the bed's real distribution registry says which digest a
// tag names, the colors' Deployments (and so the pods) get repo@sha256:…, a moved tag brings up a
// new color, and a tag the registry lacks, a refusing or silent registry stop the run before any
// write. ECR: moto answers GetAuthorizationToken and a registry that only takes moto's password
// stands in for the ECR host (as in build-image-ecr.test.ts). The bed's registry has Basic auth
// only, no Bearer token service: the Bearer challenge is covered by unit tests.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECRClient } from '@aws-sdk/client-ecr';
import { describe, expect, it, vi } from 'vitest';
import { runDeployEks } from '../../actions/deploy-eks/src/action.ts';
import { readDeployEksInputs } from '../../actions/deploy-eks/src/inputs.ts';
import { planDeployEks } from '../../actions/deploy-eks/src/plan.ts';
import { resolveImages } from '../../actions/deploy-eks/src/resolve-images.ts';
import { manifestMediaTypes } from '../../packages/registry/src/client.ts';
import { ecrApi } from '../../packages/registry/src/ecr-client.ts';
import type { ExpeditorError } from '../../packages/shared/src/errors.ts';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { useBed } from '../bed/vitest.ts';
import { runBundle } from './bundle-run.ts';
import {
  deploymentManifest,
  githubContext,
  kubeconfigConnection,
  newNamespace,
  setStable,
  workspace,
  writeManifest,
} from './deploy-eks-bed.ts';

const bed = useBed(['k8s', 'registry', 'moto']);
const account = '123456789012';
const ecrHost = `${account}.dkr.ecr.us-west-2.amazonaws.com`;
/** moto's GetAuthorizationToken answers AWS:<account>-auth-token; this is its bcrypt for htpasswd. */
const ecrPassword = `${account}-auth-token`;
const ecrPasswordBcrypt = '$2b$05$IJ5K4Ck.h1rYBEwKWC/60eckuBYbdnVPqejud69xW5EV8A47nEeAa';

const manifestTypes = manifestMediaTypes.join(', ');

function skopeo(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('skopeo', args, { env: { ...process.env, ...bed.registry.containerEnv } }, (error, _out, stderr) =>
      error ? reject(new Error(`skopeo ${args.join(' ')}: ${stderr}`)) : resolve(),
    );
  });
}

/**
 * Points `repository:tag` at a manifest of its own (the bed's base image with a `variant`
 * annotation, so each variant has another digest and no layer is built); returns the digest.
 */
async function pushVariant(url: string, host: string, repository: string, tag: string, variant: number, auth?: string): Promise<string> {
  const authorization: Record<string, string> = auth ? { Authorization: auth } : {};
  const creds = auth ? ['--dest-creds', Buffer.from(auth.slice('Basic '.length), 'base64').toString('utf8')] : [];
  await skopeo(['copy', '--quiet', ...creds, `docker://${bed.registry.baseImage}`, `docker://${host}/${repository}:base`]);
  const base = await fetch(`${url}/v2/${repository}/manifests/base`, { headers: { Accept: manifestTypes, ...authorization } });
  const mediaType = base.headers.get('content-type') ?? '';
  const doc = (await base.json()) as Record<string, unknown>;
  const body = JSON.stringify({ ...doc, annotations: { 'bed.variant': String(variant) } });
  const put = await fetch(`${url}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'Content-Type': mediaType, ...authorization },
    body,
  });
  if (!put.ok) throw new Error(`PUT ${repository}:${tag} → ${put.status} ${await put.text()}`);
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** deploy-eks as main.ts runs it (runDeployEks: plan → resolve → connect → deploy → summary). */
async function deploy(ws: string, inputs: Record<string, string>) {
  const log = memoryLog();
  const parsed = readDeployEksInputs(new ActionInputs({ INPUT_KUBECONFIG: bed.k8s.kubeconfig, ...inputEnv(inputs) }));
  const runner = { kubeconfig: undefined, awsRegion: undefined, stsEndpoint: undefined, runnerTemp: tmpdir() };
  const result = await runDeployEks(parsed, githubContext(ws), runner, { log, signal: new AbortController().signal });
  return { result, log, summary: readFileSync(join(ws, 'summary.md'), 'utf8') };
}

async function refusal(ws: string, inputs: Record<string, string>): Promise<{ error: ExpeditorError; lines: string[] }> {
  const log = memoryLog();
  const parsed = readDeployEksInputs(new ActionInputs({ INPUT_KUBECONFIG: bed.k8s.kubeconfig, ...inputEnv(inputs) }));
  const runner = { kubeconfig: undefined, awsRegion: undefined, stsEndpoint: undefined, runnerTemp: tmpdir() };
  try {
    await runDeployEks(parsed, githubContext(ws), runner, { log, signal: new AbortController().signal });
  } catch (error) {
    return { error: error as ExpeditorError, lines: log.lines };
  }
  throw new Error('deploy-eks was expected to refuse');
}

async function podImages(ns: string, color: string): Promise<string[]> {
  const c = await kubeconfigConnection(bed.k8s);
  const pods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: `version=${color}` });
  return pods.items.map((p) => p.spec?.containers[0]?.image ?? '');
}

describe('deploy-eks resolves a tag to its digest before anything is written', () => {
  it(':latest (no tag written) → digest deployed, the pods run it; moving the tag brings up the other color with the new digest', async () => {
    const { host, url } = bed.registry;
    const repository = `${host}/demo/latest-app`;
    const first = await pushVariant(url, host, 'demo/latest-app', 'latest', 1);
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, 'digest-latest');
    const ws = workspace();
    const manifest = writeManifest(
      ws,
      'k8s/shop.yaml',
      deploymentManifest('shop', { image: `${repository}:old`, replicas: 2, ports: [8080] }),
    );

    const one = await deploy(ws, { image: repository, services: 'shop', namespace: ns, manifest });
    expect(one.result.ready).toBe(true);
    expect(one.result.results[0]?.image).toBe(`${repository}@${first}`);
    const blue = await c.apps.readNamespacedDeployment({ name: 'shop-blue', namespace: ns });
    expect(blue.spec?.template.spec?.containers[0]?.image).toBe(`${repository}@${first}`);
    expect(await podImages(ns, 'blue')).toEqual([`${repository}@${first}`, `${repository}@${first}`]);
    expect(one.log.lines).toContain(`${repository} → ${repository}@${first} (resolved from the registry)`);
    expect(one.log.lines.join('\n')).not.toMatch(/given by tag/);
    expect(one.summary).toContain(`${repository} → ${repository}@${first}`);

    // The tag moves (a new push of :latest); blue serves; the next run brings up green with it.
    const second = await pushVariant(url, host, 'demo/latest-app', 'latest', 2);
    expect(second).not.toBe(first);
    await setStable(c, ns, 'shop', 'blue');
    const two = await deploy(ws, { image: repository, services: 'shop', namespace: ns, manifest });
    expect(two.result.ready).toBe(true);
    expect(two.result.results[0]).toMatchObject({ live: 'blue', target: 'green', image: `${repository}@${second}` });
    expect(await podImages(ns, 'green')).toEqual([`${repository}@${second}`, `${repository}@${second}`]);
    // Blue still runs what it ran.
    expect(await podImages(ns, 'blue')).toEqual([`${repository}@${first}`, `${repository}@${first}`]);
  });

  it('images (service=repo:tag lines): each service gets its own tag’s digest', async () => {
    const { host, url } = bed.registry;
    const cart = await pushVariant(url, host, 'demo/cart', '1.0', 3);
    const shop = await pushVariant(url, host, 'demo/shop', '2.0', 4);
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, 'digest-images');
    const ws = workspace();
    const manifest = writeManifest(
      ws,
      'k8s/all.yaml',
      deploymentManifest('cart', { image: `${host}/demo/cart:0`, replicas: 1 }),
      deploymentManifest('shop', { image: `${host}/demo/shop:0`, replicas: 1 }),
    );
    const run = await deploy(ws, {
      images: `cart=${host}/demo/cart:1.0\nshop=${host}/demo/shop:2.0`,
      services: 'cart,shop',
      namespace: ns,
      manifest,
    });
    expect(run.result.ready).toBe(true);
    expect(run.result.results.map((r) => r.image)).toEqual([`${host}/demo/cart@${cart}`, `${host}/demo/shop@${shop}`]);
  });

  it('a tag the registry does not have: refused naming the input and the image, nothing written', async () => {
    const { host } = bed.registry;
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, 'digest-missing');
    const ws = workspace();
    const manifest = writeManifest(ws, 'k8s/shop.yaml', deploymentManifest('shop', { replicas: 1 }));
    const { error } = await refusal(ws, { image: `${host}/demo/latest-app:no-such-tag`, services: 'shop', namespace: ns, manifest });
    expect(error.input).toBe('image');
    expect(error.message).toBe(
      `the image ${host}/demo/latest-app:no-such-tag could not be resolved to a digest: registry ${host} has no tag no-such-tag in repository demo/latest-app`,
    );
    expect(error.unchanged).toBe('nothing was changed in the cluster');
    expect(error.next).toContain(`push ${host}/demo/latest-app:no-such-tag first`);
    expect((await c.apps.listNamespacedDeployment({ namespace: ns })).items).toEqual([]);
    expect((await c.core.listNamespacedService({ namespace: ns })).items).toEqual([]);
  });

  it('a registry that does not answer: refused before any change, saying it is unreachable', async () => {
    const port = await closedPort();
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, 'digest-unreachable');
    const ws = workspace();
    const { error } = await refusal(ws, { images: `shop=127.0.0.1:${port}/demo/app:v1`, services: 'shop', namespace: ns });
    expect(error.input).toBe('images');
    expect(error.message).toContain(
      `the image 127.0.0.1:${port}/demo/app:v1 could not be resolved to a digest: registry 127.0.0.1:${port} is unreachable`,
    );
    expect((await c.apps.listNamespacedDeployment({ namespace: ns })).items).toEqual([]);
  });

  it('an image by digest: no registry request (its registry need not even answer)', async () => {
    const port = await closedPort();
    const image = `127.0.0.1:${port}/demo/app@sha256:${'e'.repeat(64)}`;
    const ws = workspace();
    const inputs = readDeployEksInputs(
      new ActionInputs({ INPUT_KUBECONFIG: bed.k8s.kubeconfig, ...inputEnv({ image, services: 'shop' }) }),
    );
    const plan = planDeployEks(inputs, {
      workspace: ws,
      sha: '',
      runUrl: '',
      runner: { kubeconfig: undefined, awsRegion: undefined, stsEndpoint: undefined, runnerTemp: tmpdir() },
    });
    let made = 0;
    const resolved = await resolveImages(plan, {
      log: memoryLog(),
      registry: () => {
        made += 1;
        throw new Error('no registry client should be made');
      },
    });
    expect(resolved).toEqual([]);
    expect(made).toBe(0);
    expect(plan.images).toEqual({ shop: image });
    // And through the whole run: deployed as given.
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, 'digest-given');
    const manifest = writeManifest(ws, 'k8s/shop.yaml', deploymentManifest('shop', { image: `127.0.0.1:${port}/demo/app:0`, replicas: 1 }));
    const run = await deploy(ws, { image, services: 'shop', namespace: ns, manifest });
    expect(run.result.ready).toBe(true);
    expect(run.result.results[0]?.image).toBe(image);
  });

  it('resolve-digest: false deploys the tag as written, with the by-tag warning', async () => {
    const port = await closedPort();
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, 'digest-off');
    const ws = workspace();
    const image = `127.0.0.1:${port}/demo/app:v1`;
    const manifest = writeManifest(ws, 'k8s/shop.yaml', deploymentManifest('shop', { image: `127.0.0.1:${port}/demo/app:0`, replicas: 1 }));
    const run = await deploy(ws, { image, 'resolve-digest': 'false', services: 'shop', namespace: ns, manifest });
    expect(run.result.results[0]?.image).toBe(image);
    expect(run.log.lines.join('\n')).toContain(`the image ${image} is given by tag, not by digest`);
  });
});

describe('deploy-eks on ECR: the tag resolved with an ECR login (moto) against the registry standing in for the ECR host', () => {
  it('logs in with GetAuthorizationToken, pins the ECR name by digest, never logs the token; anonymous is refused naming the input', async () => {
    const registry = await bed.registry.startAuthenticated({ username: 'AWS', password: ecrPassword, bcrypt: ecrPasswordBcrypt });
    try {
      const basic = `Basic ${Buffer.from(`AWS:${ecrPassword}`).toString('base64')}`;
      const digest = await pushVariant(registry.url, registry.host, 'demo/ecr-app', 'release', 5, basic);
      const image = `${ecrHost}/demo/ecr-app:release`;
      const ws = mkdtempSync(join(tmpdir(), 'deploy-eks-ecr-'));
      const planOf = () =>
        planDeployEks(
          readDeployEksInputs(new ActionInputs({ INPUT_KUBECONFIG: bed.k8s.kubeconfig, ...inputEnv({ image, services: 'shop' }) })),
          {
            workspace: ws,
            sha: '',
            runUrl: '',
            runner: { kubeconfig: undefined, awsRegion: undefined, stsEndpoint: undefined, runnerTemp: tmpdir() },
          },
        );
      const log = memoryLog();
      const mask = vi.spyOn(log, 'mask');
      const plan = planOf();
      const resolved = await resolveImages(plan, {
        log,
        ecr: async () => ecrApi(new ECRClient(bed.moto.clientConfig(account))),
        addresses: { [ecrHost]: registry.host },
      });
      expect(resolved).toEqual([{ image, resolved: `${ecrHost}/demo/ecr-app@${digest}`, input: 'image' }]);
      expect(plan.images).toEqual({ shop: `${ecrHost}/demo/ecr-app@${digest}` });
      expect(mask.mock.calls.flat()).toEqual(expect.arrayContaining([ecrPassword]));
      expect(log.lines.join('\n')).not.toContain(ecrPassword);

      // Without an ECR login the registry refuses (401): stopped, naming the input and what to do.
      const refused = await resolveImages(planOf(), {
        log: memoryLog(),
        ecr: async () => {
          throw Object.assign(new Error('User is not authorized to perform: ecr:GetAuthorizationToken'), { name: 'AccessDeniedException' });
        },
        addresses: { [ecrHost]: registry.host },
      }).catch((e: ExpeditorError) => e);
      expect((refused as ExpeditorError).input).toBe('image');
      expect((refused as ExpeditorError).message).toContain(
        `the image ${image} could not be resolved to a digest: ECR GetAuthorizationToken`,
      );
      expect((refused as ExpeditorError).next).toContain('ecr:GetAuthorizationToken');
    } finally {
      await registry.stop();
    }
  });

  it('a registry that refuses anonymous access (HTTP 401): refused naming the input, with what to do', async () => {
    const registry = await bed.registry.startAuthenticated();
    try {
      const image = `${registry.host}/demo/private:1`;
      const ws = workspace();
      const c = await kubeconfigConnection(bed.k8s);
      const ns = await newNamespace(c, 'digest-refused');
      const { error } = await refusal(ws, { image, services: 'shop', namespace: ns });
      expect(error.input).toBe('image');
      expect(error.message).toContain(
        `the image ${image} could not be resolved to a digest: registry ${registry.host} refused anonymous access`,
      );
      expect(error.message).toContain('HTTP 401');
      expect(error.next).toContain('give the image by digest');
      expect((await c.apps.listNamespacedDeployment({ namespace: ns })).items).toEqual([]);
    } finally {
      await registry.stop();
    }
  });
});

describe('deploy-eks bundle: the tag resolved by the built dist (node dist/index.js)', () => {
  it('deploys the digest, prints tag → digest, the summary shows it; a missing tag exits 1 naming the input', async () => {
    const { host, url } = bed.registry;
    const repository = `${host}/demo/bundle-app`;
    const digest = await pushVariant(url, host, 'demo/bundle-app', 'v7', 7);
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, 'digest-bundle');
    const ws = workspace();
    const manifest = writeManifest(ws, 'k8s/shop.yaml', deploymentManifest('shop', { image: `${repository}:old`, replicas: 1 }));
    const env = { KUBECONFIG: bed.k8s.kubeconfig, GITHUB_SHA: 'b'.repeat(40) };
    const run = await runBundle('deploy-eks', { image: `${repository}:v7`, services: 'shop', namespace: ns, manifest }, env, {
      workspace: ws,
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`${repository}:v7 → ${repository}@${digest} (resolved from the registry)`);
    expect(JSON.parse(run.outputs.results ?? '[]')[0]).toMatchObject({ service: 'shop', ready: true, image: `${repository}@${digest}` });
    expect(run.summary).toContain(`${repository}:v7 → ${repository}@${digest}`);
    expect(run.log).not.toContain('is given by tag');

    const missing = await runBundle('deploy-eks', { image: `${repository}:v8`, services: 'shop', namespace: ns, manifest }, env, {
      workspace: ws,
    });
    expect(missing.status).toBe(1);
    expect(missing.log).toContain(
      `::error title=input 'image'::the image ${repository}:v8 could not be resolved to a digest: registry ${host} has no tag v8 in repository demo/bundle-app`,
    );
    // Nothing more was written: blue still has v7's digest and no green exists.
    const deployments = (await c.apps.listNamespacedDeployment({ namespace: ns })).items;
    expect(deployments.map((d) => [d.metadata?.name, d.spec?.template.spec?.containers[0]?.image])).toEqual([
      ['shop-blue', `${repository}@${digest}`],
    ]);
  });
});
