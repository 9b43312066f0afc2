// planKubeConnection: the kubeconfig input wins, then an EKS cluster (region from input, file or
// AWS_REGION), then KUBECONFIG; with none, an error naming the cluster input.
import { thrown } from './eks-fixtures.ts';
import { describe, expect, it } from 'vitest';
import { Settings } from '@expeditor/shared/settings';
import { describeConnection, planKubeConnection, type ConnectionChoice } from '@expeditor/kube/plan';
import type { KubeRunnerContext } from '@expeditor/kube/runner';

const runner = (over: Partial<KubeRunnerContext> = {}): KubeRunnerContext => ({
  kubeconfig: undefined,
  awsRegion: undefined,
  stsEndpoint: undefined,
  ...over,
});
const fromFile = { name: 'shop-prod', origin: { key: 'environments.prod.eks.cluster' } };
const regionInput = { value: 'eu-central-1', from: "input 'region'", source: 'input' as const };
const regionFile = { value: 'us-west-2', from: 'environments.prod.aws.region', source: 'file' as const };
const kubeconfigEnv = { kubeconfig: { path: '/home/runner/.kube/config', also: ['/tmp/extra'] } };

function plan(over: Partial<Omit<ConnectionChoice, 'settings'>>) {
  const settings = new Settings();
  const connect = planKubeConnection({
    workspace: '/ws',
    kubeconfigInput: undefined,
    cluster: undefined,
    region: undefined,
    runner: runner(),
    ...over,
    settings,
  });
  return { connect, rows: settings.rows() };
}

describe('planKubeConnection', () => {
  it.each([
    [
      'a relative kubeconfig input, in the workspace, over everything else',
      { kubeconfigInput: 'ci/kubeconfig', cluster: fromFile, runner: runner(kubeconfigEnv) },
      { kind: 'kubeconfig', path: '/ws/ci/kubeconfig', also: [], origin: { input: 'kubeconfig' } },
      [['connection', 'ci/kubeconfig', "input 'kubeconfig'"]],
    ],
    [
      'an absolute kubeconfig input',
      { kubeconfigInput: '/runner/temp/kubeconfig', runner: runner({ runnerTemp: '/runner/temp' }) },
      { kind: 'kubeconfig', path: '/runner/temp/kubeconfig', also: [], origin: { input: 'kubeconfig' }, allowExec: false },
      [['connection', '/runner/temp/kubeconfig', "input 'kubeconfig'"]],
    ],
    [
      'a cluster with the region input, over KUBECONFIG and AWS_REGION',
      {
        cluster: { name: 'c1', origin: { input: 'cluster' } },
        region: regionInput,
        runner: runner({ ...kubeconfigEnv, awsRegion: 'us-east-1', stsEndpoint: 'http://sts.local' }),
      },
      { kind: 'eks', cluster: 'c1', region: 'eu-central-1', stsEndpoint: 'http://sts.local', origin: { input: 'cluster' } },
      [['region', 'eu-central-1', "input 'region'"]],
    ],
    [
      'a cluster from the file with the file’s region',
      { cluster: fromFile, region: regionFile, runner: runner({ awsRegion: 'us-east-1' }) },
      { kind: 'eks', cluster: 'shop-prod', region: 'us-west-2', stsEndpoint: undefined, origin: { key: 'environments.prod.eks.cluster' } },
      [['region', 'us-west-2', 'environments.prod.aws.region']],
    ],
    [
      'a cluster with AWS_REGION',
      { cluster: fromFile, runner: runner({ awsRegion: 'us-east-1' }) },
      { kind: 'eks', cluster: 'shop-prod', region: 'us-east-1', stsEndpoint: undefined, origin: fromFile.origin },
      [['region', 'us-east-1', 'AWS_REGION']],
    ],
    [
      'a cluster with no region anywhere (the SDK’s chain decides)',
      { cluster: fromFile },
      { kind: 'eks', cluster: 'shop-prod', region: undefined },
      [],
    ],
    [
      'KUBECONFIG, all its files',
      { runner: runner({ ...kubeconfigEnv, awsRegion: 'us-east-1' }) },
      { kind: 'kubeconfig', path: '/home/runner/.kube/config', also: ['/tmp/extra'], origin: {} },
      [['connection', '/home/runner/.kube/config:/tmp/extra', 'KUBECONFIG']],
    ],
  ])('%s', (_, choice, connect, rows) => {
    const p = plan(choice);
    expect(p.connect).toMatchObject(connect);
    expect(p.rows).toEqual(rows);
  });

  it.each([
    ['an absolute path outside the workspace and RUNNER_TEMP', '/etc/kubernetes/admin.conf'],
    ['a path climbing out of the workspace', '../other/kubeconfig'],
  ])('refuses a kubeconfig input at %s, naming it', (_, path) => {
    const error = thrown(() => plan({ kubeconfigInput: path, runner: runner({ runnerTemp: '/runner/temp' }) }));
    expect(error.input).toBe('kubeconfig');
    expect(error.message).toMatch(/is outside the workspace/);
  });

  it("lets the input kubeconfig run an exec plugin only when allowed; KUBECONFIG (the runner's own) always", () => {
    expect(plan({ kubeconfigInput: 'kc' }).connect).toMatchObject({ allowExec: false });
    expect(plan({ kubeconfigInput: 'kc', allowKubeconfigExec: true }).connect).toMatchObject({ allowExec: true });
    expect(plan({ runner: runner(kubeconfigEnv) }).connect).toMatchObject({ allowExec: true });
  });

  it('with nothing to connect to, an error naming the cluster input', () => {
    const error = thrown(() => plan({ region: regionFile, runner: runner({ awsRegion: 'us-east-1' }) }));
    expect(error.message).toBe('no cluster to connect to');
    expect(error.input).toBe('cluster');
    expect(error.next).toMatch(/kubeconfig \(input or KUBECONFIG\)/);
  });
});

describe('describeConnection', () => {
  it.each([
    [{ kind: 'eks' as const, cluster: 'c1', region: 'us-west-2', stsEndpoint: undefined, origin: {} }, 'EKS cluster c1 (us-west-2)'],
    [{ kind: 'eks' as const, cluster: 'c1', region: undefined, stsEndpoint: undefined, origin: {} }, 'EKS cluster c1'],
    [{ kind: 'kubeconfig' as const, path: '/a', also: ['/b', '/c'], origin: {} }, 'kubeconfig /a:/b:/c'],
  ])('%j → %s', (connect, text) => {
    expect(describeConnection(connect)).toBe(text);
  });
});
