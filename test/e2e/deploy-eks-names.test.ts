// Adopting a blue/green made by hand, as the seed writes it (issue #14): Deployment myapp-blue
// behind the team's Service myapp-service, a myapp-preview Service of the team's, and the names
// configured — stable-service: myapp-service, preview-service: myapp-preview — in the environment
// file or as inputs. deploy-eks brings up green and never touches myapp-blue or myapp-service's
// selector; bluegreen-switch moves myapp-service to green, rollback returns it, cleanup scales
// blue down; both actions run plan → core as main.ts does, on the bed's real apiserver.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import type { KubeConnection } from '@expeditor/kube/connect';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { ExpeditorError, ProblemsError } from '../../packages/shared/src/errors.ts';
import { readSwitchInputs } from '../../actions/bluegreen-switch/src/inputs.ts';
import { readEksSwitchInputs } from '../../actions/bluegreen-switch/src/eks/inputs.ts';
import { planEksSwitch } from '../../actions/bluegreen-switch/src/eks/plan.ts';
import { createKube } from '../../actions/bluegreen-switch/src/eks/kube.ts';
import { eksSwitch } from '../../actions/bluegreen-switch/src/eks/switch.ts';
import type { EksSwitchResult } from '../../actions/bluegreen-switch/src/eks/types.ts';
import { useBed } from '../bed/vitest.ts';
import { image, kubeconfigConnection, newNamespace, runCore, workspace } from './deploy-eks-bed.ts';
import { readyNames } from './switch-eks-bed.ts';
import { blueYaml, createInNamespace, serviceYaml } from './myapp-seed.ts';

const bed = useBed(['k8s']);

const entries = {
  file: '[{ name: myapp, stable-service: myapp-service, preview-service: myapp-preview }]',
  plain: '[myapp]',
};

function environmentFile(services: string): string {
  return `app: myapp
image: { repository: registry.bed/myapp }
environments:
  prod:
    aws: { account: "111111111111", region: us-west-2, role: "arn:aws:iam::111111111111:role/deploy" }
    eks: { cluster: prod, services: ${services} }
`;
}

/** A namespace with the hand-made blue/green, and a workspace with its manifests and environment file. */
async function handMade(c: KubeConnection, services: string): Promise<{ ns: string; ws: string }> {
  const ns = await newNamespace(c, `myapp-${randomBytes(3).toString('hex')}`);
  // What the team runs today, applied by hand; its myapp-preview Service is for trying a color.
  await createInNamespace(c, ns, blueYaml('registry.bed/myapp:v1'), serviceYaml(), serviceYaml('myapp-preview'));
  const ws = workspace();
  mkdirSync(join(ws, 'deploy'));
  mkdirSync(join(ws, '.github'));
  writeFileSync(join(ws, 'deploy/deployment-blue.yaml'), blueYaml('registry.bed/myapp:v1'));
  writeFileSync(join(ws, 'deploy/service.yaml'), serviceYaml());
  writeFileSync(join(ws, '.github/expeditor.yml'), environmentFile(services));
  return { ns, ws };
}

/** bluegreen-switch's EKS path as main.ts runs it: inputs → plan (environment file) → core. */
async function runSwitch(ws: string, given: Record<string, string>): Promise<{ result: EksSwitchResult; lines: string[] }> {
  const env = inputEnv({ platform: 'eks', kubeconfig: bed.k8s.kubeconfig, ...given });
  const common = readSwitchInputs(new ActionInputs(env));
  const eks = readEksSwitchInputs(new ActionInputs(env), { RUNNER_TEMP: tmpdir() });
  const plan = planEksSwitch(common, eks, { workspace: ws, sha: 'c'.repeat(40), runUrl: 'https://github.com/acme/myapp/actions/runs/7' });
  const connection = await kubeconfigConnection(bed.k8s);
  const log = memoryLog();
  const result = await eksSwitch(plan.options, { kube: createKube(connection), log, signal: new AbortController().signal });
  return { result, lines: log.lines };
}

const read = {
  service: (c: KubeConnection, ns: string, name: string): Promise<V1Service> => c.core.readNamespacedService({ name, namespace: ns }),
  deployment: (c: KubeConnection, ns: string, name: string): Promise<V1Deployment> =>
    c.apps.readNamespacedDeployment({ name, namespace: ns }),
};

async function endpointsOf(c: KubeConnection, ns: string, service: string): Promise<string[]> {
  const slices = await c.discovery.listNamespacedEndpointSlice({ namespace: ns, labelSelector: `kubernetes.io/service-name=${service}` });
  return readyNames(slices.items);
}

async function refusal(promise: Promise<unknown>): Promise<ExpeditorError[]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a refusal').toBeInstanceOf(ExpeditorError);
  return error instanceof ProblemsError ? [...error.problems] : [error as ExpeditorError];
}

describe('adopting a blue/green made by hand, with its own Service names', () => {
  it('names in eks.services: deploy-eks brings up green beside it; the switch moves myapp-service, rollback returns it, cleanup scales blue down', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const { ns, ws } = await handMade(c, entries.file);
    const blueBefore = await read.deployment(c, ns, 'myapp-blue');
    const stableBefore = await read.service(c, ns, 'myapp-service');

    const { result, lines } = await runCore(bed.k8s, {
      workspace: ws,
      inputs: { image: image(2, 'myapp'), environment: 'prod', namespace: ns, manifest: 'deploy' },
    });
    expect(result.failure).toBeUndefined();
    expect(result.results[0]).toMatchObject({
      service: 'myapp',
      live: 'blue',
      target: 'green',
      deployment: 'myapp-green',
      previewService: 'myapp-preview',
      ready: true,
    });
    const log = lines.join('\n');
    // The manifest's Service of the configured name is the stable one: left as it is, not applied.
    expect(log).toContain('Service myapp-service (deploy/service.yaml): exists, left as it is');
    expect(log).toContain('Service myapp-preview → version=green');
    // Blue untouched (its status moves as its pods come up, its spec never), the stable Service not
    // even written (same resourceVersion).
    const blueAfter = await read.deployment(c, ns, 'myapp-blue');
    expect([blueAfter.metadata?.generation, blueAfter.spec]).toEqual([blueBefore.metadata?.generation, blueBefore.spec]);
    expect(blueAfter.spec?.template.spec?.containers[0]?.image).toBe('registry.bed/myapp:v1');
    const stable = await read.service(c, ns, 'myapp-service');
    expect(stable.metadata?.resourceVersion).toBe(stableBefore.metadata?.resourceVersion);
    expect(stable.spec?.selector).toEqual({ app: 'myapp', version: 'blue' });
    // The preview under its configured name is on green's pods; no <service>-preview was made.
    expect((await read.service(c, ns, 'myapp-preview')).spec?.selector).toEqual({ app: 'myapp', version: 'green' });
    await expect(read.service(c, ns, 'myapp')).rejects.toMatchObject({ code: 404 });
    const green = await read.deployment(c, ns, 'myapp-green');
    expect(green.spec?.template.spec?.containers[0]?.image).toBe(image(2, 'myapp'));
    const greenPods = await endpointsOf(c, ns, 'myapp-preview');
    expect(greenPods).toHaveLength(3);

    // The switch reads the same names from the same file: myapp-service moves to green.
    const switched = await runSwitch(ws, { environment: 'prod', namespace: ns });
    expect(switched.result).toMatchObject({ action: 'switch', from: 'blue', to: 'green', switched: true });
    expect(switched.lines.join('\n')).toMatch(/green is ready: 3 Ready pods, all ready endpoints of myapp-preview/);
    expect((await read.service(c, ns, 'myapp-service')).spec?.selector).toEqual({ app: 'myapp', version: 'green' });
    expect(await endpointsOf(c, ns, 'myapp-service')).toEqual(greenPods);

    // Rollback returns it to blue, still running.
    const back = await runSwitch(ws, { environment: 'prod', namespace: ns, action: 'rollback' });
    expect(back.result).toMatchObject({ action: 'rollback', from: 'green', to: 'blue', switched: true });
    expect((await read.service(c, ns, 'myapp-service')).spec?.selector?.version).toBe('blue');

    // Green again, then cleanup: blue to zero, the configured preview deleted, green untouched.
    await runSwitch(ws, { environment: 'prod', namespace: ns });
    const cleaned = await runSwitch(ws, { environment: 'prod', namespace: ns, action: 'cleanup', 'remove-preview': 'true' });
    expect(cleaned.result).toMatchObject({
      action: 'cleanup',
      from: 'green',
      scaledDown: { deployment: 'myapp-blue', replicas: 3 },
      previewRemoved: true,
    });
    expect((await read.deployment(c, ns, 'myapp-blue')).spec?.replicas).toBe(0);
    expect((await read.deployment(c, ns, 'myapp-green')).spec?.replicas).toBe(3);
    await expect(read.service(c, ns, 'myapp-preview')).rejects.toMatchObject({ code: 404 });
    expect((await read.service(c, ns, 'myapp-service')).spec?.selector).toEqual({ app: 'myapp', version: 'green' });
  });

  it('the same names as inputs give the same result; bad names are refused with nothing written', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const { ns, ws } = await handMade(c, entries.plain);
    const names = { 'stable-service': 'myapp-service', 'preview-service': 'myapp-preview' };
    // What a write would change: blue's generation (its status moves on its own), the Services' versions.
    const state = async () =>
      Promise.all([
        read.deployment(c, ns, 'myapp-blue').then((d) => d.metadata?.generation),
        read.service(c, ns, 'myapp-service').then((s) => s.metadata?.resourceVersion),
        read.service(c, ns, 'myapp-preview').then((s) => s.metadata?.resourceVersion),
      ]);
    const before = await state();

    // A name that is a color's, or the inputs with several services: refused before any request.
    for (const [inputs, input] of [
      [{ 'stable-service': 'myapp-green' }, 'stable-service'],
      [{ 'preview-service': 'myapp-service', 'stable-service': 'myapp-service' }, 'stable-service'],
      [{ ...names, services: 'myapp,cart' }, 'stable-service'],
    ] as const) {
      const problems = await refusal(
        runCore(bed.k8s, { workspace: ws, inputs: { image: image(3, 'myapp'), services: 'myapp', namespace: ns, ...inputs } }),
      );
      expect(problems[0]).toMatchObject({ input, unchanged: 'nothing was changed' });
    }
    const switchProblems = await refusal(runSwitch(ws, { service: 'myapp', namespace: ns, 'stable-service': 'myapp-blue' }));
    expect(switchProblems[0]).toMatchObject({ input: 'stable-service' });
    expect(switchProblems[0]?.message).toMatch(/myapp-blue cannot be myapp's stable Service: it is the name of myapp's blue Deployment/);
    expect(await state()).toEqual(before);
    await expect(read.deployment(c, ns, 'myapp-green')).rejects.toMatchObject({ code: 404 });

    // Given as inputs (the file lists the service by name only): as with the file's entry.
    const { result } = await runCore(bed.k8s, {
      workspace: ws,
      inputs: { image: image(2, 'myapp'), services: 'myapp', namespace: ns, ...names },
    });
    expect(result.results[0]).toMatchObject({ live: 'blue', target: 'green', previewService: 'myapp-preview', ready: true });
    expect((await state())[0]).toBe(before[0]);
    expect((await state())[1]).toBe(before[1]);
    expect((await read.service(c, ns, 'myapp-preview')).spec?.selector).toEqual({ app: 'myapp', version: 'green' });
    const switched = await runSwitch(ws, { environment: 'prod', service: 'myapp', namespace: ns, ...names });
    expect(switched.result).toMatchObject({ from: 'blue', to: 'green', switched: true });
    expect((await read.service(c, ns, 'myapp-service')).spec?.selector).toEqual({ app: 'myapp', version: 'green' });
  });
});
