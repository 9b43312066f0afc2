// An image index deploys as an image does. build-image with platforms linux/amd64,linux/arm64
// (buildah, on the bed's registry) outputs the index's digest; deploy-ecs registers it in a task
// definition and follows the rolling deployment to COMPLETED (moto), with require-digest on; deploy-eks
// rolls it out on the bed cluster given by digest, and given by tag resolves the tag to the same
// index digest (the registry is asked with the index media types among those accepted).
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { buildImage, type BuildImageResult } from '../../actions/build-image/src/action.ts';
import { deployEcs } from '../../actions/deploy-ecs/src/deploy.ts';
import { runDeployEks } from '../../actions/deploy-eks/src/action.ts';
import { readDeployEksInputs } from '../../actions/deploy-eks/src/inputs.ts';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { useBed } from '../bed/vitest.ts';
import { buildOptions, indexTypes, noEngineEnv } from './build-image-bed.ts';
import { clientsFor, planFrom, rollingService } from './deploy-ecs-bed.ts';
import { deploymentManifest, githubContext, kubeconfigConnection, newNamespace, workspace, writeManifest } from './deploy-eks-bed.ts';

const bed = useBed(['registry', 'moto', 'k8s']);
const timing = { minIntervalMs: 100, maxIntervalMs: 400, factor: 1.5 };

let built: Promise<BuildImageResult> | undefined;
/** One two-platform index for the file, built once (FROM scratch, a file per architecture). */
function theIndex(): Promise<BuildImageResult> {
  built ??= (async () => {
    const dir = join(bed.dir, 'index-app');
    for (const arch of ['amd64', 'arm64']) {
      mkdirSync(join(dir, arch), { recursive: true });
      writeFileSync(join(dir, arch, 'arch.txt'), `built for ${arch}\n`);
    }
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nARG TARGETARCH\nCOPY ${TARGETARCH}/ /\n');
    return buildImage(
      buildOptions(bed, 'deploy-index', {
        repository: `${bed.registry.host}/shop/multi`,
        workspace: dir,
        context: '.',
        buildArgs: {},
        env: noEngineEnv(bed.registry),
        builder: 'buildah',
        platforms: ['linux/amd64', 'linux/arm64'],
        log: memoryLog(),
      }),
    );
  })();
  return built;
}

describe('the digest of an image index (platforms linux/amd64,linux/arm64)', () => {
  it('is an index in the registry, and is what the tag names', async () => {
    const result = await theIndex();
    const response = await fetch(`${bed.registry.url}/v2/shop/multi/manifests/${result.digest}`, { headers: { Accept: indexTypes } });
    expect(response.headers.get('content-type')).toMatch(/index|manifest\.list/);
    expect(await bed.registry.digest('shop/multi', result.tag)).toBe(result.digest);
  });

  it('deploy-ecs registers it (require-digest on) and the rolling deployment completes', async () => {
    const result = await theIndex();
    const fx = await rollingService(bed.moto, { image: `${bed.registry.host}/shop/multi:old` });
    const plan = await planFrom({ image: result.image, cluster: fx.cluster, service: fx.service, 'require-digest': 'true' });
    const deployed = await deployEcs(plan, clientsFor(bed.moto), { log: memoryLog(), timing });
    expect(deployed).toMatchObject({ strategy: 'rolling', status: 'COMPLETED' });
    const registered = (await fx.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: deployed.taskDefinitionArn })))
      .taskDefinition;
    expect(registered?.containerDefinitions?.find((c) => c.name === 'app')?.image).toBe(result.image);
    expect((await fx.describe()).taskDefinition).toBe(deployed.taskDefinitionArn);
  });

  it('deploy-eks rolls it out by digest, and resolves the tag to the same index digest', async () => {
    const result = await theIndex();
    const c = await kubeconfigConnection(bed.k8s);
    const repository = `${bed.registry.host}/shop/multi`;
    for (const [name, image] of [
      ['by-digest', result.image],
      ['by-tag', `${repository}:${result.tag}`],
    ] as const) {
      const ns = await newNamespace(c, `index-${name}`);
      const ws = workspace();
      const manifest = writeManifest(ws, 'k8s/shop.yaml', deploymentManifest('shop', { image: `${repository}:old`, replicas: 2 }));
      const inputs = {
        image,
        services: 'shop',
        namespace: ns,
        manifest,
        strategy: 'rolling',
        'require-digest': String(name === 'by-digest'),
      };
      const parsed = readDeployEksInputs(new ActionInputs({ INPUT_KUBECONFIG: bed.k8s.kubeconfig, ...inputEnv(inputs) }));
      const runner = { kubeconfig: undefined, awsRegion: undefined, stsEndpoint: undefined, runnerTemp: tmpdir() };
      const log = memoryLog();
      const run = await runDeployEks(parsed, githubContext(ws), runner, { log, signal: new AbortController().signal });
      expect(run.ready, log.lines.join('\n')).toBe(true);
      expect(run.results[0]?.image).toBe(result.image);
      const deployment = await c.apps.readNamespacedDeployment({ name: 'shop', namespace: ns });
      expect(deployment.spec?.template.spec?.containers[0]?.image).toBe(result.image);
      const pods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=shop' });
      expect(pods.items.map((p) => p.spec?.containers[0]?.image)).toEqual([result.image, result.image]);
      if (name === 'by-tag') expect(log.lines).toContain(`${image} → ${result.image} (resolved from the registry)`);
    }
  });
});
