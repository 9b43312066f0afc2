// The committed deploy-eks bundle, run as the runner runs it (node, INPUT_* variables, outputs and
// step summary files), against the bed: by KUBECONFIG, and end to end on the EKS path (moto's
// DescribeCluster leading to the bed's apiserver, the bundle's own token checked by the TokenReview
// webhook against moto's STS).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import { runBundle as runAction, type BundleRun } from './bundle-run.ts';
import { deploymentManifest, image, kubeconfigConnection, newNamespace, setStable, workspace, writeManifest } from './deploy-eks-bed.ts';

const bed = useBed(['moto', 'k8s']);

/** The bundle in `ws` as a job of acme/shop at commit bbbb… runs it. */
const runBundle = (ws: string, inputs: Record<string, string>, env: Record<string, string>): Promise<BundleRun> =>
  runAction('deploy-eks', inputs, { GITHUB_SHA: 'b'.repeat(40), ...env }, { workspace: ws });

/** The bed's kubeconfig with its token replaced by an exec plugin that prints it (and leaves a mark that it ran). */
function execKubeconfig(ws: string, kubeconfig: string): { path: string; ran: string } {
  const config = parse(readFileSync(kubeconfig, 'utf8')) as { users: { name: string; user: { token?: string; exec?: unknown } }[] };
  const user = config.users[0]!.user;
  const ran = join(ws, 'plugin-ran');
  const credential = JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token: user.token },
  });
  user.exec = {
    apiVersion: 'client.authentication.k8s.io/v1',
    command: '/bin/sh',
    args: ['-c', `touch '${ran}'; printf '%s' '${credential}'`],
    interactiveMode: 'Never',
  };
  delete user.token;
  writeFileSync(join(ws, 'kubeconfig'), stringify(config));
  return { path: 'kubeconfig', ran };
}

describe('the deploy-eks bundle on the bed', () => {
  it("a repository's kubeconfig runs no exec plugin unless allow-kubeconfig-exec says so", async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, 'bundle-exec');
    const ws = workspace();
    const manifest = writeManifest(ws, 'deploy/shop.yaml', deploymentManifest('shop', { replicas: 1, ports: [8080] }));
    const kc = execKubeconfig(ws, bed.k8s.kubeconfig);
    const inputs = { image: image(1), services: 'shop', namespace: ns, manifest, kubeconfig: kc.path };

    const refused = await runBundle(ws, inputs, {});
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(
      /::error title=input 'kubeconfig'::input 'kubeconfig': the context "bed" of .* gets its credentials by running "\/bin\/sh"/,
    );
    expect(existsSync(kc.ran)).toBe(false);

    const allowed = await runBundle(ws, { ...inputs, 'allow-kubeconfig-exec': 'true' }, {});
    expect(allowed.log).not.toMatch(/::error/);
    expect(allowed.status).toBe(0);
    expect(existsSync(kc.ran)).toBe(true);
  });

  it('by KUBECONFIG (a list whose first file is missing, as kubectl allows): first deploy, outputs and step summary', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, 'bundle-kc');
    const ws = workspace();
    const manifest = writeManifest(ws, 'deploy/shop.yaml', deploymentManifest('shop', { replicas: 2, ports: [8080] }));
    const run = await runBundle(
      ws,
      { image: image(1), services: 'shop', namespace: ns, manifest },
      { KUBECONFIG: `${join(ws, 'no-such-kubeconfig')}:${bed.k8s.kubeconfig}` },
    );
    expect(run.log).not.toMatch(/::error/);
    expect(run.status).toBe(0);
    expect(run.outputs).toMatchObject({ 'live-color': '', 'target-color': 'blue', 'preview-service': 'shop-preview', ready: 'true' });
    const results = JSON.parse(run.outputs.results ?? '[]') as { service: string; ready: boolean; target: string }[];
    expect(results).toEqual([
      expect.objectContaining({ service: 'shop', ready: true, target: 'blue', replicas: 2, available: 2, reason: null }),
    ]);
    // The title names the KUBECONFIG files as they were given (kubeconfig <first>:<rest>).
    expect(run.summary).toContain(
      `## deploy-eks ready to switch — kubeconfig ${join(ws, 'no-such-kubeconfig')}:${bed.k8s.kubeconfig}, namespace ${ns}`,
    );
    expect(run.log).toContain('::group::Waiting for shop blue to be ready');
    expect(run.log).toMatch(/blue: 2\/2 available, preview endpoints ready/);
  });

  it('EKS end to end: DescribeCluster from moto, its own token accepted by the webhook; blue → green', async () => {
    const eks = bed.k8s.eks!;
    await eks.createCluster('shop-prod');
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, 'bundle-eks');
    const ws = workspace();
    const manifest = writeManifest(ws, 'shop.yaml', deploymentManifest('shop', { replicas: 2, ports: [8080] }));
    const awsEnv = { ...bed.moto.env(), AWS_ENDPOINT_URL_STS: eks.stsEndpoint };
    // The apiserver caches a token's review for a few seconds, and two runs within the same
    // second sign the same token: count the reviews of both runs.
    const since = Date.now();
    const first = await runBundle(ws, { image: image(1), services: 'shop', namespace: ns, manifest, cluster: 'shop-prod' }, awsEnv);
    expect(first.log).not.toMatch(/::error/);
    expect(first.status).toBe(0);
    await setStable(c, ns, 'shop', 'blue');
    const second = await runBundle(
      ws,
      { image: image(2), services: 'shop', namespace: ns, cluster: 'shop-prod', region: 'us-west-2' },
      awsEnv,
    );
    expect(second.status).toBe(0);
    expect(second.outputs).toMatchObject({ 'live-color': 'blue', 'target-color': 'green', ready: 'true' });
    expect(second.summary).toContain(`## deploy-eks ready to switch — EKS cluster shop-prod (us-west-2), namespace ${ns}`);
    // The apiserver authenticated these requests through the EKS token webhook (not the bed token).
    const reviews = eks.reviews().filter((r) => r.at >= since);
    expect(
      reviews.some((r) => r.authenticated && r.cluster === 'shop-prod' && r.arn === `arn:aws:sts::${bed.moto.defaultAccount}:user/moto`),
    ).toBe(true);
    expect((await c.apps.readNamespacedDeployment({ name: 'shop-green', namespace: ns })).spec?.template.spec?.containers[0]?.image).toBe(
      image(2),
    );
    // The token is registered as a secret (the runner hides it from then on) and printed nowhere else.
    const tokenLines = second.log.split('\n').filter((l) => l.includes('k8s-aws-v1.'));
    expect(tokenLines).toHaveLength(1);
    expect(tokenLines.every((l) => l.startsWith('::add-mask::'))).toBe(true);
  });

  it('EKS: an unknown cluster fails naming the cluster input, with no Kubernetes write', async () => {
    const ws = workspace();
    const run = await runBundle(ws, { image: image(1), services: 'shop', namespace: 'default', cluster: 'no-such' }, { ...bed.moto.env() });
    expect(run.status).toBe(1);
    expect(run.log).toContain(`::error title=input 'cluster'::EKS cluster "no-such" does not exist in us-west-2`);
    expect(run.outputs).toEqual({});
  });

  it('a failing rollout: exit 1, outputs still written with ready=false and the reason', async () => {
    const c = await kubeconfigConnection(bed.k8s);
    const ns = await newNamespace(c, 'bundle-fail');
    const ws = workspace();
    const manifest = writeManifest(ws, 'shop.yaml', deploymentManifest('shop', { replicas: 1 }));
    const run = await runBundle(
      ws,
      // registry.bed is no registry: the tag (a bed fault marker) is deployed as written.
      { image: 'registry.bed/shop:bed-config-error', 'resolve-digest': 'false', services: 'shop', namespace: ns, manifest },
      { KUBECONFIG: bed.k8s.kubeconfig },
    );
    expect(run.status).toBe(1);
    expect(run.outputs.ready).toBe('false');
    expect(JSON.parse(run.outputs.results ?? '[]')[0]).toMatchObject({
      service: 'shop',
      ready: false,
      reason: expect.stringMatching(/^CreateContainerConfigError/),
    });
    expect(run.log).toMatch(/::error::deploy-eks: 1 of 1 service is not ready to switch/);
    expect(run.summary).toContain('<summary>shop: CreateContainerConfigError</summary>');
  });
});
