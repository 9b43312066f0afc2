// The reusable workflows under act on the bed with EKS: build once → dev (ECS rolling) → staging
// (EKS blue/green, Service selector switch, the EKS cluster in moto leading to the bed's
// Kubernetes) → prod (CodeDeploy blue/green), each gated on the one before and recorded.
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import { bedside, readyNames } from '../e2e/switch-eks-bed.ts';
import { consumerRepo, expeditorRelease, runAct, type ActRun } from './act.ts';
import { setUpDemo, type Demo } from './demo.ts';

const bed = useBed(['oidc', 'moto', 'registry', 'k8s', 'github']);
let demo: Demo;
let release = '';
let repo = '';

const delivery = (base: string): string => `name: delivery
on: push
permissions: {}
jobs:
  build:
    permissions: { contents: read, id-token: write }
    uses: ORG/expeditor/.github/workflows/build.yml@v1
    with:
      context: app
      build-args: |
        BASE=${base}
  dev:
    needs: build
    permissions: { contents: read, deployments: write, id-token: write }
    uses: ORG/expeditor/.github/workflows/deploy.yml@v1
    with: { environment: dev, image: "\${{ needs.build.outputs.image }}" }
  staging:
    needs: [build, dev]
    permissions: { contents: read, deployments: write, id-token: write }
    uses: ORG/expeditor/.github/workflows/deploy.yml@v1
    with: { environment: staging, image: "\${{ needs.build.outputs.image }}" }
  prod:
    needs: [build, staging]
    permissions: { contents: read, deployments: write, id-token: write }
    uses: ORG/expeditor/.github/workflows/deploy.yml@v1
    with: { environment: prod, image: "\${{ needs.build.outputs.image }}" }
`;

function show(run: ActRun): string {
  return run.output.split('\n').slice(-150).join('\n');
}

beforeAll(async () => {
  demo = await setUpDemo(bed, { eks: true });
  release = expeditorRelease(join(bed.dir, 'expeditor'));
  repo = join(bed.dir, 'shop');
}, 300_000);

describe('workflows under act: EKS staging', () => {
  test('build once → dev → staging (EKS selector switch to green) → prod', async () => {
    const sha = consumerRepo(repo, {
      '.github/expeditor.yml': demo.config,
      '.github/workflows/delivery.yml': delivery(bed.registry.baseImage),
    });
    const run = await runAct({ repo, release, cacheDir: join(bed.dir, 'act'), bed, workflow: '.github/workflows/delivery.yml' });
    expect(run.code, show(run)).toBe(0);
    const image = /image=(\S+@sha256:[a-f0-9]{64})/.exec(run.output)?.[1];
    const { connection } = await bedside(bed.k8s);
    const ns = demo.staging!.namespace;
    const stable = await connection.core.readNamespacedService({ name: 'app', namespace: ns });
    expect(stable.spec?.selector).toEqual({ app: 'app', version: 'green' });
    const green = await connection.apps.readNamespacedDeployment({ name: 'app-green', namespace: ns });
    expect(green.spec?.template.spec?.containers[0]?.image).toBe(image);
    const slices = await connection.discovery.listNamespacedEndpointSlice({ namespace: ns, labelSelector: 'kubernetes.io/service-name=app' });
    const names = readyNames(slices.items);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => n.startsWith('app-green-'))).toBe(true);
    for (const env of ['dev', 'staging', 'prod']) {
      expect(bed.github.deployments(env).map((d) => [d.sha, (d.payload as { image: string }).image, d.statuses.at(-1)?.state]), env).toEqual([[sha, image, 'success']]);
    }
    expect(bed.github.malformed()).toEqual([]);
    console.log(`act: build → dev → staging (EKS) → prod in ${(run.ms / 1000).toFixed(1)} s`);
  });
});
