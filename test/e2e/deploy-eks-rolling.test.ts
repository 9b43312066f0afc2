// strategy: rolling on EKS (a dev environment): the team's Deployment updated in place, watched to
// readiness with the same predicate and diagnosis as a blue/green color, through the bundle.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import { runBundle, type BundleRun } from './bundle-run.ts';
import { image, kubeconfigConnection, workspace } from './deploy-eks-bed.ts';

const bed = useBed(['k8s']);

const manifest = `apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector:
    app: api
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels:
    app: api
spec:
  replicas: 2
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
        - name: api
          image: registry.bed/api:dev
          ports:
            - containerPort: 8080
`;

function setUp(ns: string): { ws: string; run: (img: string) => Promise<BundleRun> } {
  const ws = workspace();
  mkdirSync(join(ws, '.github'), { recursive: true });
  writeFileSync(
    join(ws, '.github/expeditor.yml'),
    `app: api
image: { repository: registry.bed/api }
environments:
  dev:
    aws: { account: "111111111111", region: us-west-2, role: "arn:aws:iam::111111111111:role/deploy" }
    eks: { cluster: dev, namespace: ${ns}, strategy: rolling, services: [api] }
`,
  );
  writeFileSync(join(ws, 'api.yaml'), manifest);
  const run = (img: string) =>
    runBundle(
      'deploy-eks',
      // The bed's marker tags (bed-fail-pull) name no image in a registry: deployed as written.
      { image: img, environment: 'dev', manifest: 'api.yaml', kubeconfig: bed.k8s.kubeconfig, 'resolve-digest': 'false' },
      { GITHUB_SHA: 'b'.repeat(40) },
      { workspace: ws },
    );
  return { ws, run };
}

describe('deploy-eks strategy rolling', () => {
  it('creates the Deployment and Service, then updates the same Deployment in place: no colors, no preview', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = `dev-${randomBytes(3).toString('hex')}`;
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
    const { run } = setUp(ns);
    const first = await run(image(1, 'api'));
    expect(first.log).not.toMatch(/::error/);
    expect(first.status).toBe(0);
    expect(first.outputs).toMatchObject({ ready: 'true', 'target-color': '', 'preview-service': '' });
    expect(first.log).toMatch(/api: rolled out \(2\/2 available\)/);
    const second = await run(image(2, 'api'));
    expect(second.status, second.log).toBe(0);
    const deployments = await c.apps.listNamespacedDeployment({ namespace: ns });
    expect(deployments.items.map((d) => d.metadata?.name)).toEqual(['api']);
    const api = deployments.items[0]!;
    expect(api.spec?.template.spec?.containers[0]?.image).toBe(image(2, 'api'));
    expect(api.spec?.selector.matchLabels).toEqual({ app: 'api' });
    expect((await c.core.readNamespacedService({ name: 'api', namespace: ns })).spec?.selector).toEqual({ app: 'api' });
    const services = await c.core.listNamespacedService({ namespace: ns });
    expect(services.items.map((s) => s.metadata?.name)).toEqual(['api']);
    expect(second.summary).toContain('deploy-eks rolled out');
    expect(second.summary).toContain('| strategy | rolling (the Deployment updated in place) | environments.dev.eks.strategy |');
  });

  it('an image that cannot be pulled fails the run with the diagnosis', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = `dev-${randomBytes(3).toString('hex')}`;
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
    const { run } = setUp(ns);
    expect((await run(image(1, 'api'))).status).toBe(0);
    const failed = await run('registry.bed/api:bed-fail-pull');
    expect(failed.status).toBe(1);
    expect(failed.stdout).toMatch(/1 of 1 rolling update did not complete: api \((ErrImagePull|ImagePullBackOff)/);
    expect(failed.outputs.ready).toBe('false');
  });
});
