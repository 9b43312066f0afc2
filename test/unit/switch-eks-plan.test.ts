// planEksSwitch: inputs over the environment file's eks section, and every problem with them
// reported together before any network call.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProblemsError } from '@expeditor/shared/errors';
import type { EksSwitchInputs } from '../../actions/bluegreen-switch/src/eks/inputs.ts';
import { planEksSwitch, type EksPlanCommon } from '../../actions/bluegreen-switch/src/eks/plan.ts';
import { ecr } from './eks-fixtures.ts';
import { eksSwitchInputs } from './eks-inputs.ts';

const ws = mkdtempSync(join(tmpdir(), 'switch-eks-plan-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));
mkdirSync(join(ws, '.github'));
writeFileSync(
  join(ws, '.github/expeditor.yml'),
  `app: shop
image: { repository: ${ecr}/shop }
environments:
  staging:
    aws: { account: "222222222222", region: eu-west-1, role: "arn:aws:iam::222222222222:role/deploy" }
    eks: { cluster: shop-staging, namespace: staging, services: [shop], color-label: track }
  prod:
    aws: { account: "333333333333", region: us-west-2, role: "arn:aws:iam::333333333333:role/deploy" }
    eks: { cluster: shop-prod, namespace: prod, route: ingress, ingress: web, services: [shop, cart], canary: [10, 50, 100] }
  argo:
    aws: { account: "444444444444", region: us-west-2, role: "arn:aws:iam::444444444444:role/deploy" }
    eks: { cluster: shop-argo, namespace: shop, services: [shop], rollout: shop }
  argo-checked:
    aws: { account: "444444444444", region: us-west-2, role: "arn:aws:iam::444444444444:role/deploy" }
    eks: { cluster: shop-argo, namespace: shop, rollout: shop }
    analysis:
      checks:
        - { name: health, provider: http, url: "https://shop.example.com/healthz" }
`,
);

const inputs = eksSwitchInputs;

const common = (over: Partial<EksPlanCommon> = {}): EksPlanCommon => ({
  action: 'switch',
  environment: undefined,
  config: '.github/expeditor.yml',
  ...over,
});
const plan = (c: Partial<EksPlanCommon>, i: Partial<EksSwitchInputs>) =>
  planEksSwitch(common(c), inputs(i), { workspace: ws, sha: 'c0ffee', runUrl: 'https://github.com/o/r/actions/runs/9' });

function problems(c: Partial<EksPlanCommon>, i: Partial<EksSwitchInputs>): string[] {
  try {
    plan(c, i);
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemsError);
    return (error as ProblemsError).problems.map((p) => p.message);
  }
  throw new Error('expected problems');
}

describe('planEksSwitch', () => {
  it('takes the service, namespace, label and cluster from the file when it lists one service', () => {
    const p = plan({ environment: 'staging' }, {});
    expect(p.options).toMatchObject({
      action: 'switch',
      route: 'service',
      namespace: 'staging',
      service: 'shop',
      colorLabel: 'track',
      commit: 'c0ffee',
      runUrl: 'https://github.com/o/r/actions/runs/9',
    });
    expect(p.connect).toMatchObject({
      kind: 'eks',
      cluster: 'shop-staging',
      region: 'eu-west-1',
      origin: { key: 'environments.staging.eks.cluster' },
    });
    expect(p.settings.rows()).toEqual([
      ['route', 'service', 'environments.staging.eks.route'],
      ['namespace', 'staging', 'environments.staging.eks.namespace'],
      ['color label', 'track', 'environments.staging.eks.color-label'],
      ['service', 'shop', 'environments.staging.eks.services'],
      ['cluster', 'shop-staging', 'environments.staging.eks.cluster'],
      ['region', 'eu-west-1', 'environments.staging.aws.region'],
    ]);
  });

  it.each([
    ['a canary from the file on switch', 'switch', {}, [10, 50, 100]],
    ['the canary input wins', 'switch', { canary: [25, 100] }, [25, 100]],
    ['no canary on rollback', 'rollback', {}, undefined],
    ['no canary on cleanup', 'cleanup', {}, undefined],
  ] as const)('%s', (_, action, over, canary) => {
    const p = plan({ environment: 'prod', action }, { service: 'shop', ...(over as Partial<EksSwitchInputs>) });
    expect(p.options.canary).toEqual(canary);
    expect(p.options).toMatchObject({ route: 'ingress', ingress: 'web', namespace: 'prod' });
  });

  it.each([
    [
      'inputs alone, with a kubeconfig',
      {},
      { service: 'shop', kubeconfig: 'ci/kubeconfig' },
      { kind: 'kubeconfig', path: join(ws, 'ci/kubeconfig') },
    ],
    [
      'the cluster input over the file’s',
      { environment: 'prod' },
      { service: 'shop', cluster: 'dr' },
      { kind: 'eks', cluster: 'dr', region: 'us-west-2', origin: { input: 'cluster' } },
    ],
    [
      'KUBECONFIG when nothing else says',
      {},
      {
        service: 'shop',
        runner: { kubeconfig: { path: '/home/runner/.kube/config', also: [] }, awsRegion: undefined, stsEndpoint: undefined },
      },
      { kind: 'kubeconfig', path: '/home/runner/.kube/config' },
    ],
  ])('connects by %s', (_, c, i, connect) => {
    expect(plan(c, i).connect).toMatchObject(connect);
  });

  it.each([
    [
      'everything wrong at once',
      { action: 'rollback' as const },
      {
        targetColor: 'blue' as const,
        keepMs: 60_000,
        removePreview: true,
        ingressPath: '/api',
        probeUrl: 'https://shop.example.com/health',
      },
      [
        "input 'service': is required (the stable Service, e.g. shop)",
        "input 'probe-url': is only used between canary steps: give canary weights too",
        "input 'target-color': is not used by rollback, which returns to the recorded previous color",
        "input 'keep': is only used by action 'cleanup'",
        "input 'remove-preview': is only used by action 'cleanup'",
        "input 'ingress-path': needs route ingress",
        'no cluster to connect to',
      ],
    ],
    [
      'a file listing two services',
      { environment: 'prod' },
      {},
      ["input 'service': is required: environments.prod.eks.services lists 2 services (shop, cart) and one switch moves one"],
    ],
    [
      'route ingress without an Ingress, and a canary on route service',
      {},
      { service: 'shop', route: 'ingress' as const, cluster: 'c' },
      ["input 'ingress': is required with route ingress"],
    ],
    [
      'a canary input on route service',
      {},
      { service: 'shop', canary: [50, 100], cluster: 'c' },
      ["input 'canary': needs route ingress (weights go through the Ingress's load balancer)"],
    ],
  ])('%s: reported together', (_, c, i, messages) => {
    expect(problems(c, i)).toEqual(messages);
  });

  describe("an environment's eks.rollout", () => {
    it("switches the Rollout, not the file's one service", () => {
      const p = plan({ environment: 'argo' }, {});
      expect(p.options).toMatchObject({ rollout: 'shop', service: '', namespace: 'shop' });
      expect(p.settings.rows()).toContainEqual(['rollout', 'shop', 'environments.argo.eks.rollout']);
    });

    it('yields to the rollout input', () => {
      expect(plan({ environment: 'argo' }, { rollout: 'shop-v2' }).options.rollout).toBe('shop-v2');
    });

    it('refuses the inputs that have no meaning on a Rollout, as with the input', () => {
      expect(problems({ environment: 'argo' }, { service: 'shop' })).toContainEqual(expect.stringContaining("is not used with 'rollout'"));
    });

    it("refuses the environment's analysis checks, which a Rollout's own AnalysisTemplates replace", () => {
      expect(problems({ environment: 'argo-checked' }, {})).toContainEqual(
        expect.stringContaining('environments.argo-checked.analysis has checks'),
      );
    });
  });
});
