// The Role of docs/examples/rbac.yaml is enough, and each of its rules is needed: on the bed's
// kube-apiserver (RBAC authorization), a ServiceAccount bound to exactly that Role in one
// namespace gets a token (TokenRequest), and with a kubeconfig holding only that token the
// committed bundles run a first deploy-eks (Deployment and stable Service from a manifest), a
// second one (the other color), a bluegreen-switch and its cleanup. The same runs with one rule
// taken out fail with the apiserver's 403, named in the log.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { useBed } from '../bed/vitest.ts';
import { root, runBundle, type BundleRun } from './bundle-run.ts';
import { deploymentManifest, image, kubeconfigConnection, newNamespace, workspace, writeManifest } from './deploy-eks-bed.ts';

const bed = useBed(['k8s']);

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
type Role = KubernetesObject & { rules: Rule[] };
type Binding = KubernetesObject & { subjects: unknown[] };

/** The documented Role and RoleBinding, as the docs ship them. */
function documented(): { role: Role; binding: Binding } {
  const docs = parseAllDocuments(readFileSync(join(root, 'docs/examples/rbac.yaml'), 'utf8')).map((d) => d.toJS() as KubernetesObject);
  return { role: docs.find((d) => d.kind === 'Role') as Role, binding: docs.find((d) => d.kind === 'RoleBinding') as Binding };
}

const ruleName = (r: Rule): string => `${r.apiGroups.map((g) => g || 'core').join(',')} ${r.resources.join(',')}`;

/**
 * A namespace where ServiceAccount expeditor-deployer is bound to the documented Role (less the
 * rules `drop` names), and a workspace whose kubeconfig carries only that account's token.
 */
async function boundAccount(name: string, drop: (r: Rule) => boolean = () => false): Promise<{ ns: string; ws: string }> {
  const c = await kubeconfigConnection(bed.k8s);
  const ns = await newNamespace(c, name);
  const { role, binding } = documented();
  role.metadata = { ...role.metadata, namespace: ns };
  role.rules = role.rules.filter((r) => !drop(r));
  binding.metadata = { ...binding.metadata, namespace: ns };
  binding.subjects = [{ kind: 'ServiceAccount', name: 'expeditor-deployer', namespace: ns }];
  await c.core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'expeditor-deployer' } } });
  await c.objects.create(role);
  await c.objects.create(binding);
  const token = await c.core.createNamespacedServiceAccountToken({
    name: 'expeditor-deployer',
    namespace: ns,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const ws = workspace();
  writeFileSync(
    join(ws, 'kubeconfig'),
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: bed',
      `  cluster: { server: "${bed.k8s.server}", certificate-authority-data: ${Buffer.from(bed.k8s.caData).toString('base64')} }`,
      'users:',
      '- name: expeditor-deployer',
      `  user: { token: ${token.status?.token} }`,
      'contexts:',
      `- name: deployer`,
      `  context: { cluster: bed, user: expeditor-deployer, namespace: ${ns} }`,
      'current-context: deployer',
      '',
    ].join('\n'),
  );
  writeManifest(ws, 'deploy/shop.yaml', deploymentManifest('shop', { replicas: 2, ports: [8080] }), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'shop', labels: { app: 'shop' } },
    spec: { selector: { app: 'shop' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  });
  return { ns, ws };
}

const deploy = (at: { ns: string; ws: string }, n: number, manifest = true): Promise<BundleRun> =>
  runBundle(
    'deploy-eks',
    {
      image: image(n),
      services: 'shop',
      namespace: at.ns,
      kubeconfig: 'kubeconfig',
      ...(manifest ? { manifest: 'deploy/shop.yaml' } : {}),
    },
    { GITHUB_SHA: 'b'.repeat(40) },
    { workspace: at.ws },
  );

const bluegreen = (at: { ns: string; ws: string }, inputs: Record<string, string>): Promise<BundleRun> =>
  runBundle(
    'bluegreen-switch',
    { platform: 'eks', kubeconfig: 'kubeconfig', namespace: at.ns, service: 'shop', ...inputs },
    { GITHUB_SHA: 'c'.repeat(40) },
    { workspace: at.ws },
  );

describe('the documented Role (docs/examples/rbac.yaml) on an apiserver with RBAC', () => {
  it('is enough: first deploy, second deploy, switch and cleanup, with a ServiceAccount token bound to it alone', async () => {
    const at = await boundAccount('rbac-ok');
    const first = await deploy(at, 1);
    expect(first.log).not.toMatch(/::error/);
    expect(first.status).toBe(0);
    expect(first.outputs).toMatchObject({ 'target-color': 'blue', ready: 'true' });
    expect(first.log).toMatch(/Service shop/);

    const second = await deploy(at, 2, false);
    expect(second.log).not.toMatch(/::error/);
    expect(second.outputs).toMatchObject({ 'live-color': 'blue', 'target-color': 'green', ready: 'true' });

    const switched = await bluegreen(at, { 'target-color': 'green' });
    expect(switched.log).not.toMatch(/::error/);
    expect(switched.outputs).toMatchObject({ from: 'blue', to: 'green', switched: 'true' });

    const cleaned = await bluegreen(at, { action: 'cleanup', 'remove-preview': 'true' });
    expect(cleaned.log).not.toMatch(/::error/);
    expect(cleaned.status).toBe(0);
  });

  it('without the EndpointSlice rule, deploy-eks fails with the apiserver’s 403 and says which call', async () => {
    const at = await boundAccount('rbac-no-slices', (r) => r.resources.includes('endpointslices'));
    const run = await deploy(at, 1);
    expect(run.status).toBe(1);
    expect(run.log).toMatch(
      /::error::deploy-eks: .*HTTP 403.*User "system:serviceaccount:rbac-no-slices:expeditor-deployer" cannot list resource "endpointslices" in API group "discovery.k8s.io" in the namespace "rbac-no-slices"/,
    );
  });

  it('without the Service rule, deploy-eks fails with a 403 before writing anything', async () => {
    const at = await boundAccount('rbac-no-services', (r) => r.resources.includes('services'));
    const run = await deploy(at, 1);
    expect(run.status).toBe(1);
    expect(run.log).toMatch(/HTTP 403.*cannot list resource "services" in API group "" in the namespace "rbac-no-services"/);
    expect(run.log).toMatch(/Unchanged: nothing was changed\.%0ANext: grant the identity RBAC rights on/);
    const c = await kubeconfigConnection(bed.k8s);
    expect((await c.apps.listNamespacedDeployment({ namespace: at.ns })).items).toEqual([]);
  });

  it('lists every rule with a reason (a comment) and nothing cluster-wide', () => {
    const { role } = documented();
    expect(role.kind).toBe('Role');
    expect(role.rules.map(ruleName)).toEqual(
      expect.arrayContaining(['apps deployments', 'core services', 'discovery.k8s.io endpointslices']),
    );
    for (const r of role.rules) expect(r.verbs, ruleName(r)).not.toContain('*');
  });
});
