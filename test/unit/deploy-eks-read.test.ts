// namespaceView: what the namespace's reads answered, checked before any write — the namespace
// must exist and the environment's ConfigMaps and Secrets too.
import { describe, expect, it } from 'vitest';
import type { EnvironmentRefs } from '../../actions/deploy-eks/src/plan.ts';
import { namespaceView, serviceAccountsToRead, type NamespaceReads } from '../../actions/deploy-eks/src/read.ts';
import { liveDeployment, liveHpa, shopIngress, stableService, thrown } from './eks-fixtures.ts';

const noRefs: EnvironmentRefs = { configMaps: [], secrets: [], serviceAccount: undefined, irsaRole: undefined, key: undefined };
const role = 'arn:aws:iam::222222222222:role/shop-pods';
const plan = (refs: Partial<EnvironmentRefs> = {}, services = ['shop']) => ({
  namespace: 'prod',
  namespaceOrigin: { key: 'environments.prod.eks.namespace' },
  refs: { ...noRefs, ...refs },
  services,
});
const reads = (over: Partial<NamespaceReads> = {}): NamespaceReads => ({
  namespace: { metadata: { name: 'prod' } },
  services: [stableService('blue')],
  deployments: [liveDeployment('blue')],
  hpas: [liveHpa('blue')],
  configMaps: [],
  secrets: [],
  serviceAccounts: [],
  ingresses: [],
  ...over,
});

describe('serviceAccountsToRead', () => {
  it.each([
    ['no IRSA: none', {}, ['shop', 'cart'], []],
    ['IRSA: one per service', { irsaRole: role }, ['shop', 'cart'], ['shop', 'cart']],
    ['IRSA with the environment’s account first, once', { irsaRole: role, serviceAccount: 'shop' }, ['shop', 'cart'], ['shop', 'cart']],
    ['IRSA with a shared account', { irsaRole: role, serviceAccount: 'runtime' }, ['shop'], ['runtime', 'shop']],
  ])('%s', (_, refs, services, expected) => {
    expect(serviceAccountsToRead(plan(refs, services))).toEqual(expected);
  });
});

describe('namespaceView', () => {
  it('indexes Services and Deployments by name, pairs accounts with their reads', () => {
    const account = { metadata: { name: 'shop' } };
    const view = namespaceView(
      plan({ irsaRole: role }),
      'EKS cluster prod',
      reads({ serviceAccounts: [account], ingresses: [shopIngress()] }),
    );
    expect([...view.services.keys()]).toEqual(['shop']);
    expect([...view.deployments.keys()]).toEqual(['shop-blue']);
    expect(view.hpas.map((h) => h.metadata?.name)).toEqual(['shop-blue']);
    expect([...view.serviceAccounts.entries()]).toEqual([['shop', account]]);
    expect(view.ingresses).toHaveLength(1);
  });

  it('a namespace the run may not read is taken as there (the namespaced reads told)', () => {
    expect(namespaceView(plan(), 'x', reads({ namespace: 'forbidden' })).services.size).toBe(1);
  });

  it.each([
    [
      'no namespace',
      {},
      { namespace: undefined },
      /^namespace prod does not exist in EKS cluster prod \(us-west-2\)$/,
      { key: 'environments.prod.eks.namespace' },
    ],
    [
      'a missing ConfigMap',
      { configMaps: ['shop-config', 'shared'], key: 'environments.prod.eks' },
      { configMaps: [{}, undefined] },
      /^ConfigMap shared does not exist in namespace prod$/,
      { key: 'environments.prod.eks.config-maps' },
    ],
    [
      'a missing Secret',
      { secrets: ['shop-db'], key: 'environments.prod.eks' },
      { secrets: [undefined] },
      /^Secret shop-db does not exist in namespace prod$/,
      { key: 'environments.prod.eks.secrets' },
    ],
    [
      'both, reported together',
      { configMaps: ['shop-config'], secrets: ['shop-db'], key: 'environments.prod.eks' },
      { configMaps: [undefined], secrets: [undefined] },
      /^ConfigMap shop-config and Secret shop-db do not exist in namespace prod$/,
      { key: 'environments.prod.eks.config-maps' },
    ],
  ])('%s stops the run before any write', (_, refs, over, message, at) => {
    const error = thrown(() => namespaceView(plan(refs), 'EKS cluster prod (us-west-2)', reads(over)));
    expect(error.message).toMatch(message);
    expect(error.key).toBe(at.key);
    expect(error.unchanged).toBe('nothing was changed');
  });
});
