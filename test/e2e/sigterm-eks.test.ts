// SIGTERM (a cancelled workflow run) at each phase of deploy-eks and of bluegreen-switch on EKS,
// through the bundles on the bed's Kubernetes (and moto's CloudWatch for an analysis alarm). The
// phase is recognised from the bundle's own log lines; each case checks the end state against
// docs/cancellation.md: nothing switched, or the switch completed — never half — and one error line
// saying which. (Mid-canary on an Ingress: switch-eks-bundle.test.ts.)
import { beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { KubeConnection } from '@expeditor/kube/connect';
import { useBed } from '../bed/vitest.ts';
import { jobWorkspace, noAmbientAws, runBundle } from './bundle-run.ts';
import {
  deploymentManifest,
  image,
  kubeconfigConnection,
  newNamespace,
  runCore,
  setStable,
  workspace,
  writeManifest,
} from './deploy-eks-bed.ts';
import { createAlarm } from './switch-eks-analysis-bed.ts';
import { setUpColors, type Colors } from './switch-eks-bed.ts';
import { useSwitchEks } from './switch-eks-fixture.ts';
import { expectOneStateLine } from './sigterm-bed.ts';

const bed = useBed(['moto', 'k8s']);
const { b, stable } = useSwitchEks(bed);

describe('deploy-eks cancelled (SIGTERM)', () => {
  // One namespace with blue live behind the stable Service; each case deploys green and is cancelled.
  let c: KubeConnection;
  let ns: string;
  let ws: string;
  let manifest: string;
  let blueVersion: string;
  beforeAll(async () => {
    c = await kubeconfigConnection(bed.k8s);
    ns = await newNamespace(c, `sigterm-${process.pid}`);
    ws = workspace();
    manifest = writeManifest(ws, 'shop.yaml', deploymentManifest('shop', { replicas: 2, ports: [8080] }));
    const first = await runCore(bed.k8s, { workspace: ws, inputs: { image: image(1), services: 'shop', namespace: ns, manifest } });
    expect(first.result.ready).toBe(true);
    await setStable(c, ns, 'shop', 'blue');
    blueVersion = (await c.apps.readNamespacedDeployment({ name: 'shop-blue', namespace: ns })).metadata?.resourceVersion ?? '';
  });

  /** deploy-eks of an image whose pods never become Ready, cancelled once a line matches `phase`. */
  const deployCancelled = (phase: RegExp) =>
    runBundle(
      'deploy-eks',
      { image: image(2, 'bed-never-ready'), container: 'app', services: 'shop', namespace: ns, manifest, kubeconfig: bed.k8s.kubeconfig },
      { GITHUB_SHA: 'b'.repeat(40) },
      { workspace: ws, signalAfter: (line) => phase.test(line) },
    );

  const expectLiveUntouched = async () => {
    expect((await c.apps.readNamespacedDeployment({ name: 'shop-blue', namespace: ns })).metadata?.resourceVersion).toBe(blueVersion);
    expect((await c.core.readNamespacedService({ name: 'shop', namespace: ns })).spec?.selector).toEqual({ app: 'shop', version: 'blue' });
  };

  it('while writing the target color: the idle color may be half written, blue and the stable Service untouched, and the line says so', async () => {
    const run = await deployCancelled(/^::group::Writing the target colors/);
    const line = expectOneStateLine(run, 'deploy-eks');
    // The writes are never cut off once sent: a signal that lands while they are in flight lets
    // them finish, and the run stops in the wait that follows. Either way blue serves, and the line says so.
    if (/writing the target color failed/.test(line)) {
      expect(line).toMatch(/writing the target color failed for shop: the run was cancelled \(SIGTERM\)/);
      expect(line).toMatch(/Unchanged: the live colors still serve traffic; the stable Services were not touched/);
    } else {
      expect(line).toMatch(
        /shop green \(the run was cancelled \(SIGTERM\).*\).*the live colors still serve traffic \(shop: blue\); nothing was switched/,
      );
    }
    await expectLiveUntouched();
  });

  it('while waiting for the target color to be ready: nothing switched, blue untouched, and the line says so', async () => {
    const run = await deployCancelled(/^::group::Waiting for shop green to be ready/);
    const line = expectOneStateLine(run, 'deploy-eks');
    expect(line).toMatch(
      /shop green \(the run was cancelled \(SIGTERM\).*\).*the live colors still serve traffic \(shop: blue\); nothing was switched/,
    );
    expect(run.summary).toContain('cancelled (SIGTERM)');
    await expectLiveUntouched();
  });
});

let alarms = 0;
/** A CloudWatch alarm in OK, for a post check that would pass if the run were not cancelled. */
const alarm = () => createAlarm(new CloudWatchClient(bed.moto.clientConfig()), `sigterm-5xx-${process.pid}-${++alarms}`);
const alarmCheck = (name: string) =>
  `checks:\n  - name: alarms\n    provider: cloudwatch-alarm\n    alarms: [${name}]\n    at: [post]\n    interval: 200ms\n    count: 1000\n`;

describe('bluegreen-switch on EKS cancelled (SIGTERM)', () => {
  const switchCancelled = (c: Colors, phase: RegExp, extra: Record<string, string> = {}) => {
    const dir = jobWorkspace(undefined, 'sigterm-switch-');
    return runBundle(
      'bluegreen-switch',
      { platform: 'eks', kubeconfig: bed.k8s.kubeconfig, namespace: c.ns, service: c.svc, 'target-color': 'green', ...extra },
      { GITHUB_SHA: 'c0ffee0000000000000000000000000000000004', ...noAmbientAws(dir), ...bed.moto.env() },
      { workspace: dir, signalAfter: (line) => phase.test(line) },
    );
  };

  it('as the selector write goes out: still on blue and nothing switched, or on green and the switch stands — said either way', async () => {
    const c = await setUpColors(b);
    const run = await switchCancelled(c, /^::group::Switching Service shop: blue → green/);
    const line = expectOneStateLine(run, 'bluegreen-switch');
    expect(line).toMatch(/cancelled \(SIGTERM\)/);
    const selected = (await stable(c)).spec?.selector?.version;
    if (selected === 'green') expect(line).toMatch(/(was applied, .*Unchanged: the selector switch stands|this run's switch stands)/);
    else expect(line).toMatch(/Unchanged: Service shop still selects blue; nothing was switched/);
  });

  it('while checking that the target is ready: nothing switched, and the line says where the selector is', async () => {
    const c = await setUpColors(b);
    const run = await switchCancelled(c, /^::group::Checking that green is ready/);
    const line = expectOneStateLine(run, 'bluegreen-switch');
    expect(line).toMatch(/cancelled \(SIGTERM\).*Unchanged: Service shop still selects blue; nothing was switched/);
    expect((await stable(c)).spec?.selector?.version).toBe('blue');
  });

  it('as the selector write goes out, with a post analysis: a switch nobody watched is rolled back (or never made)', async () => {
    const c = await setUpColors(b);
    const run = await switchCancelled(c, /^::group::Switching Service shop: blue → green/, { analysis: alarmCheck(await alarm()) });
    const line = expectOneStateLine(run, 'bluegreen-switch');
    expect(line).toMatch(/cancelled \(SIGTERM\)/);
    expect((await stable(c)).spec?.selector?.version).toBe('blue');
    if (/selector is now/.test(run.stdout)) expect(line).toMatch(/rolled back: Service shop selects blue again/);
  });

  it('in the post window of an analysis: the selector goes back to blue, and the line says so', async () => {
    const c = await setUpColors(b);
    const run = await switchCancelled(c, /^::group::Analysis of green after the switch/, { analysis: alarmCheck(await alarm()) });
    const line = expectOneStateLine(run, 'bluegreen-switch');
    expect(line).toMatch(/after the switch was stopped: the run was cancelled \(SIGTERM\); rolled back: Service shop selects blue again/);
    expect((await stable(c)).spec?.selector?.version).toBe('blue');
    expect(run.summary).toContain('rolled back');
  });
});
