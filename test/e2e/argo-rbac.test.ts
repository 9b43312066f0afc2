// The Role rules docs/argo-rollouts.md gives for Rollouts, added to the documented Role
// (docs/examples/rbac.yaml), are enough: on the bed's kube-apiserver (RBAC authorization) a
// ServiceAccount bound to exactly that Role gets a token, and with a kubeconfig holding only it the
// committed bundles deploy a Rollout twice (active, then paused for promotion) and promote it.
// Without the rollouts/status rule the promote fails with the apiserver's 403.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { useBed } from '../bed/vitest.ts';
import { rolloutManifest, selectedHash } from './argo-bed.ts';
import { root, runBundle, type BundleRun } from './bundle-run.ts';
import { image, kubeconfigConnection, newNamespace, workspace, writeManifest } from './deploy-eks-bed.ts';

const bed = useBed(['k8s', 'argo']);

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** The documented Role's rules, then the ones docs/argo-rollouts.md adds (its YAML block under "Permissions"). */
function documentedRules(): Rule[] {
  const docs = parseAllDocuments(readFileSync(join(root, 'docs/examples/rbac.yaml'), 'utf8')).map((d) => d.toJS() as KubernetesObject);
  const base = (docs.find((d) => d.kind === 'Role') as KubernetesObject & { rules: Rule[] }).rules;
  const page = readFileSync(join(root, 'docs/argo-rollouts.md'), 'utf8');
  const block = /## Permissions[\s\S]*?```yaml\n([\s\S]*?)```/.exec(page)?.[1];
  if (!block) throw new Error('docs/argo-rollouts.md has no YAML block under Permissions');
  return [...base, ...(parse(block) as Rule[])];
}

/** A namespace whose ServiceAccount holds only `rules`, and a workspace with a kubeconfig of its token and the manifest. */
async function boundWorkspace(name: string, rules: Rule[]): Promise<{ ns: string; ws: string }> {
  const c = await kubeconfigConnection(bed.k8s);
  const ns = await newNamespace(c, `${name}-${process.pid}`);
  const account = 'rollout-deployer';
  await c.core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: account } } });
  await c.objects.create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: account, namespace: ns },
    rules,
  } as never);
  await c.objects.create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: account, namespace: ns },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: account },
    subjects: [{ kind: 'ServiceAccount', name: account, namespace: ns }],
  } as never);
  const token = await c.core.createNamespacedServiceAccountToken({
    name: account,
    namespace: ns,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const ws = workspace();
  const cluster = { server: bed.k8s.server, 'certificate-authority-data': Buffer.from(bed.k8s.caData).toString('base64') };
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'bed', cluster }],
    users: [{ name: account, user: { token: token.status?.token } }],
    contexts: [{ name: account, context: { cluster: 'bed', user: account, namespace: ns } }],
    'current-context': account,
  };
  writeFileSync(join(ws, 'kubeconfig'), JSON.stringify(kubeconfig));
  writeManifest(ws, 'deploy/shop.yaml', ...rolloutManifest('shop', { image: 'registry.bed/shop:old' }));
  return { ns, ws };
}

const deploy = (at: { ns: string; ws: string }, n: number): Promise<BundleRun> =>
  runBundle(
    'deploy-eks',
    { image: image(n), services: 'shop', namespace: at.ns, kubeconfig: 'kubeconfig', manifest: 'deploy/shop.yaml' },
    { GITHUB_SHA: 'b'.repeat(40) },
    { workspace: at.ws },
  );

const promote = (at: { ns: string; ws: string }): Promise<BundleRun> =>
  runBundle(
    'bluegreen-switch',
    { platform: 'eks', kubeconfig: 'kubeconfig', namespace: at.ns, rollout: 'shop' },
    { GITHUB_SHA: 'c'.repeat(40) },
    { workspace: at.ws },
  );

describe('the documented Role with the Rollout rules of docs/argo-rollouts.md', () => {
  it('is enough: a Rollout deployed, paused for promotion and promoted with a token bound to it alone', async () => {
    const at = await boundWorkspace('argo-rbac-ok', documentedRules());
    const first = await deploy(at, 1);
    expect(first.status, first.log).toBe(0);
    const second = await deploy(at, 2);
    expect(second.status, second.log).toBe(0);
    const results = JSON.parse(second.outputs.results ?? '[]') as { rollout?: { paused: boolean; newHash: string } }[];
    expect(results[0]?.rollout?.paused).toBe(true);
    const promoted = await promote(at);
    expect(promoted.status, promoted.log).toBe(0);
    expect(promoted.outputs).toMatchObject({ switched: 'true', to: results[0]?.rollout?.newHash });
    expect(await selectedHash(await kubeconfigConnection(bed.k8s), at.ns, 'shop-active')).toBe(results[0]?.rollout?.newHash);
  });

  it('without the rollouts/status rule, the promote fails with the apiserver’s 403 and changes nothing', async () => {
    const at = await boundWorkspace(
      'argo-rbac-no-status',
      documentedRules().filter((r) => !r.resources.includes('rollouts/status')),
    );
    const first = await deploy(at, 1);
    expect(first.status).toBe(0);
    const stable = (JSON.parse(first.outputs.results ?? '[]') as { rollout?: { newHash: string } }[])[0]?.rollout?.newHash;
    expect((await deploy(at, 2)).status).toBe(0);
    const refused = await promote(at);
    expect(refused.status).toBe(1);
    expect(refused.log).toMatch(/HTTP 403.*cannot patch resource "rollouts\/status" in API group "argoproj\.io"/);
    expect(await selectedHash(await kubeconfigConnection(bed.k8s), at.ns, 'shop-active')).toBe(stable);
  });
});
