// deploy-eks's Rollout parts without a cluster: which Rollout serves a service and what is refused
// (naming the key), and the state line a Rollout's status maps to while deploy-eks waits.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { V1EndpointSlice, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { thrownError } from './thrown.ts';
import { checkedRollout, rolloutFor } from '../../actions/deploy-eks/src/rollout-manifest.ts';
import { checkNamedRollout, refuseRolloutRefs, rolloutsOf } from '../../actions/deploy-eks/src/rollout-plan.ts';
import { rolloutState, type LiveRollout } from '../../actions/deploy-eks/src/rollout-status.ts';
import type { ManifestDocument } from '../../actions/deploy-eks/src/manifest.ts';
import { planDeployEks } from '../../actions/deploy-eks/src/plan.ts';
import { rolloutBody } from '../../actions/deploy-eks/src/rollout-deploy.ts';
import { rolloutSummary } from '../../actions/deploy-eks/src/rollout-summary.ts';
import { ecr } from './eks-fixtures.ts';
import { deployEksInputs } from './eks-inputs.ts';

const origin = { input: 'manifest' };

function rolloutDoc(name: string, strategy: Record<string, unknown>, extra: Record<string, unknown> = {}): ManifestDocument {
  return {
    where: `${name}.yaml`,
    object: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name, labels: { app: name } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.bed/shop:1' }] } },
        strategy,
        ...extra,
      },
    },
  };
}

const blueGreen = { blueGreen: { activeService: 'shop-active', previewService: 'shop-preview', autoPromotionEnabled: false } };

describe('the Rollout of a service', () => {
  it('is found by name, by app label, or as the only workload of a one-service manifest', () => {
    expect(rolloutFor([rolloutDoc('shop', blueGreen)], 'shop', 2, origin)?.activeService).toBe('shop-active');
    expect(rolloutFor([rolloutDoc('other', blueGreen)], 'shop', 1, origin)?.rollout.metadata.name).toBe('other');
    expect(rolloutFor([rolloutDoc('other', blueGreen)], 'shop', 2, origin)).toBeUndefined();
  });

  it('reads autoPromotionEnabled as Argo does: left out means true', () => {
    expect(checkedRollout(rolloutDoc('shop', blueGreen), origin).autoPromotion).toBe(false);
    expect(checkedRollout(rolloutDoc('shop', { blueGreen: { activeService: 'a' } }), origin).autoPromotion).toBe(true);
  });

  it.each([
    [
      { canary: { steps: [{ setWeight: 20 }] } },
      {},
      /shop\.yaml: Rollout shop: spec\.strategy\.canary: deploy-eks drives blue\/green Rollouts/,
    ],
    [{ blueGreen: { previewService: 'p' } }, {}, /spec\.strategy\.blueGreen\.activeService is missing/],
    [
      { blueGreen: { activeService: 'a', previewService: 'a' } },
      {},
      /spec\.strategy\.blueGreen\.previewService "a" must be another Service/,
    ],
    [{}, {}, /has no spec\.strategy\.blueGreen/],
    [blueGreen, { workloadRef: { kind: 'Deployment', name: 'shop' } }, /spec\.workloadRef points at a Deployment/],
  ])('refuses %j naming the key, before any request', (strategy, extra, message) => {
    const error = thrownError(() => checkedRollout(rolloutDoc('shop', strategy, extra), origin));
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^input 'manifest': /);
    expect(error.input).toBe('manifest');
    expect(error.unchanged).toBe('nothing was changed');
  });

  it('refuses Rollouts and Deployments in one call', () => {
    const deployment: ManifestDocument = {
      where: 'api.yaml',
      object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' } },
    };
    const error = thrownError(() => rolloutsOf([rolloutDoc('shop', blueGreen), deployment], ['shop', 'api'], 'k8s/', origin));
    expect(error.message).toBe('k8s/ gives Rollouts for shop but not for api: one call deploys Rollouts or Deployments, not both');
    expect(rolloutsOf([deployment], ['api'], 'k8s/', origin)).toBeUndefined();
  });
});

const rs = (hash: string, uid: string, available: number, image = 'registry.bed/shop:1'): V1ReplicaSet => ({
  metadata: { name: `shop-${hash}`, uid, labels: { 'rollouts-pod-template-hash': hash } },
  spec: { selector: {}, template: { spec: { containers: [{ name: 'app', image }] } } },
  status: { replicas: available, availableReplicas: available },
});

const readyPod = (name: string, rsUid: string): V1Pod => ({
  metadata: { name, ownerReferences: [{ uid: rsUid, apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
});

const slice = (...pods: string[]): V1EndpointSlice => ({
  addressType: 'IPv4',
  endpoints: pods.map((pod, i) => ({ addresses: [`10.0.0.${i + 1}`], conditions: { ready: true }, targetRef: { kind: 'Pod', name: pod } })),
});

/** What the watches hold: the template written runs registry.bed/shop:1. */
const seen = (rollout: LiveRollout, replicaSets: V1ReplicaSet[] = [], pods: V1Pod[] = [], previewSlices: V1EndpointSlice[] = []) => ({
  rollout,
  replicaSets,
  pods,
  previewSlices,
  images: ['registry.bed/shop:1'],
});

function rollout(status: LiveRollout['status'], generation = 2): LiveRollout {
  const doc = rolloutDoc('shop', blueGreen).object as unknown as LiveRollout;
  return { ...doc, metadata: { ...doc.metadata, generation }, status };
}

describe('rolloutState', () => {
  const paused: LiveRollout['status'] = {
    observedGeneration: '2',
    phase: 'Paused',
    message: 'BlueGreenPause',
    currentPodHash: 'new1',
    stableRS: 'old1',
    pauseConditions: [{ reason: 'BlueGreenPause' }],
    blueGreen: { activeSelector: 'old1', previewSelector: 'new1' },
  };
  const newPods = ['shop-new1-a', 'shop-new1-b', 'shop-new1-c'];

  it('waits while the controller has not taken the new generation', () => {
    const state = rolloutState(seen(rollout({ observedGeneration: '1', phase: 'Healthy' })));
    expect(state.outcome).toBe('waiting');
    expect(state.line).toBe('shop: waiting for the Argo Rollouts controller to take generation 2 (it has seen 1)');
  });

  it('is done when paused for promotion with the preview ReplicaSet available and listed behind the preview Service', () => {
    const state = rolloutState(
      seen(
        rollout(paused),
        [rs('new1', 'u1', 3), rs('old1', 'u0', 3, 'registry.bed/shop:0')],
        newPods.map((n) => readyPod(n, 'u1')),
        [slice(...newPods)],
      ),
    );
    expect(state).toMatchObject({ outcome: 'paused', newHash: 'new1', stableHash: 'old1', available: 3, desired: 3 });
    expect(state.line).toBe('shop: Paused for promotion, preview ReplicaSet shop-new1 3/3 available, active still on old1');
  });

  it('is not done while the preview Service does not list the new pods yet', () => {
    const state = rolloutState(
      seen(
        rollout(paused),
        [rs('new1', 'u1', 3)],
        newPods.map((n) => readyPod(n, 'u1')),
        [slice('shop-new1-a')],
      ),
    );
    expect(state.outcome).toBe('waiting');
    expect(state.line).toBe('shop: Paused (BlueGreenPause), ReplicaSet shop-new1 3/3 available, preview Service 1 ready endpoints');
  });

  it('is not done while the status still describes an earlier template (its ReplicaSet runs another image)', () => {
    const state = rolloutState(seen(rollout(paused), [rs('new1', 'u1', 3, 'registry.bed/shop:0')], [], [slice(...newPods)]));
    expect(state.outcome).toBe('waiting');
    expect(state.line).toBe('shop: Paused, waiting for the ReplicaSet of the new template');
  });

  it('is not done while the preview ReplicaSet is short of replicas', () => {
    const progressing = {
      observedGeneration: '2',
      phase: 'Progressing',
      message: 'more replicas need to be updated',
      currentPodHash: 'new1',
      stableRS: 'old1',
    };
    const state = rolloutState(seen(rollout(progressing), [rs('new1', 'u1', 1)]));
    expect(state.outcome).toBe('waiting');
    expect(state.line).toBe('shop: Progressing (more replicas need to be updated), ReplicaSet shop-new1 1/3 available');
  });

  it('is done when Healthy on the new ReplicaSet (first revision, or auto-promotion)', () => {
    const healthy = {
      observedGeneration: '2',
      phase: 'Healthy',
      currentPodHash: 'h1',
      stableRS: 'h1',
      blueGreen: { activeSelector: 'h1' },
    };
    expect(rolloutState(seen(rollout(healthy), [rs('h1', 'u1', 3)])).outcome).toBe('healthy');
  });

  it('fails on a Degraded or aborted Rollout with its message and the analysis that decided it', () => {
    const aborted = {
      observedGeneration: '2',
      phase: 'Degraded',
      message: 'RolloutAborted: Rollout aborted update to revision 2',
      abort: true,
      currentPodHash: 'new1',
      stableRS: 'old1',
      blueGreen: { prePromotionAnalysisRunStatus: { name: 'shop-new1-2-pre', status: 'Failed', message: 'Metric "ok" assessed Failed' } },
    };
    const state = rolloutState(seen(rollout(aborted), [rs('new1', 'u1', 3)]));
    expect(state.outcome).toBe('failed');
    expect(state.failure?.message).toBe(
      'Rollout shop Degraded: RolloutAborted: Rollout aborted update to revision 2, pre-promotion analysis shop-new1-2-pre Failed (Metric "ok" assessed Failed)',
    );
  });

  it('fails on an invalid spec, which gets no ReplicaSet', () => {
    const invalid = {
      observedGeneration: '2',
      phase: 'Degraded',
      conditions: [
        {
          type: 'InvalidSpec',
          status: 'True',
          message: 'The Rollout "shop" is invalid: spec.strategy.blueGreen.activeService: Invalid value',
        },
      ],
    };
    const state = rolloutState(seen(rollout(invalid)));
    expect(state.outcome).toBe('failed');
    expect(state.failure?.message).toMatch(/^Rollout shop Degraded: InvalidSpec: The Rollout "shop" is invalid/);
  });

  it('fails at once on a new pod the kubelet cannot start', () => {
    const pod: V1Pod = {
      metadata: { name: 'shop-new1-abcde', ownerReferences: [{ uid: 'u1', apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'shop-new1' }] },
      status: {
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 0,
            image: 'x',
            imageID: '',
            state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off' } },
          },
        ],
      },
    };
    const progressing = { observedGeneration: '2', phase: 'Progressing', currentPodHash: 'new1', stableRS: 'old1' };
    const state = rolloutState(seen(rollout(progressing), [rs('new1', 'u1', 0)], [pod]));
    expect(state.outcome).toBe('failed');
    expect(state.failure).toMatchObject({ kind: 'ImagePullBackOff', pod: 'shop-new1-abcde' });
  });
});

describe('the environment file’s references with Rollouts', () => {
  const none = { configMaps: [], secrets: [], serviceAccount: undefined, irsaRole: undefined, key: 'environments.prod.eks' };

  it('are refused naming the first key set, since deploy-eks does not rewrite a Rollout’s template', () => {
    expect(() => refuseRolloutRefs(none)).not.toThrow();
    const error = thrownError(() => refuseRolloutRefs({ ...none, secrets: ['db'], irsaRole: 'arn:aws:iam::1:role/r' }));
    expect(error.key).toBe('environments.prod.eks.secrets');
    expect(error.message).toBe(
      "environments.prod.eks.secrets is set, but the manifest gives Rollouts: deploy-eks does not add the environment's references to a Rollout's template",
    );
    expect(error.next).toMatch(/^reference secrets, irsa-role in the Rollout's spec\.template/);
  });
});

describe('planDeployEks with a Rollout manifest', () => {
  const ws = mkdtempSync(join(tmpdir(), 'argo-plan-'));
  afterAll(() => rmSync(ws, { recursive: true, force: true }));
  const image = `${ecr}/shop@sha256:${'d'.repeat(64)}`;
  const manifest = (strategy = blueGreen, extra: Record<string, unknown>[] = []) => {
    const doc = rolloutDoc('shop', strategy).object;
    const spec = doc.spec as { template: { spec: { containers: { name: string; image: string }[] } } };
    spec.template.spec.containers = [
      { name: 'app', image: `${ecr}/shop:old` },
      { name: 'proxy', image: 'envoy:1' },
    ];
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'shop' },
      spec: { scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'shop' }, minReplicas: 2, maxReplicas: 4 },
    };
    const active = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop-active' }, spec: { selector: { app: 'shop' } } };
    const preview = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop-preview' }, spec: { selector: { app: 'shop' } } };
    writeFileSync(join(ws, 'shop.yaml'), [active, preview, hpa, doc, ...extra].map((o) => stringify(o)).join('---\n'));
    return 'shop.yaml';
  };
  const plan = (over: Record<string, unknown> = {}) =>
    planDeployEks(
      deployEksInputs(image, {
        services: ['shop'],
        cluster: 'prod',
        region: 'us-west-2',
        namespace: 'shop',
        manifest: manifest(),
        ...over,
      }),
      { workspace: ws, sha: 'c0ffee', runUrl: '', runner: { kubeconfig: undefined, awsRegion: undefined, stsEndpoint: undefined } },
    );

  it('refuses Service names given for a Rollout, which names its own', () => {
    const error = thrownError(() => plan({ stableService: 'shop-web' }));
    expect(error).toMatchObject({ input: 'stable-service', unchanged: 'nothing was changed' });
    expect(error.message).toMatch(/shop is an Argo Rollout, which names its own Services/);
  });

  it('takes the Rollout as the workload and applies every other document as it is (no colors)', () => {
    const p = plan();
    expect(p.rollouts?.get('shop')?.activeService).toBe('shop-active');
    expect(p.manifests).toBeUndefined();
    expect(p.documents.map((d) => `${d.kind} ${d.name}: ${d.disposition.kind}`)).toEqual([
      'Service shop-active: apply',
      'Service shop-preview: apply',
      'HorizontalPodAutoscaler shop: apply',
      'Rollout shop: workload',
    ]);
  });

  it('refuses strategy rolling for Rollouts, naming the input', () => {
    const error = thrownError(() => plan({ strategy: 'rolling' }));
    expect(error.input).toBe('strategy');
    expect(error.message).toMatch(/^strategy rolling updates a Deployment in place, but the manifest gives Rollouts/);
  });

  it('sets the image on the container of its repository only, and stamps the Rollout, not its pods', () => {
    const p = plan();
    const planned = p.rollouts?.get('shop');
    const body = rolloutBody(planned!, p, 'shop', { 'expeditor.dev/image': image });
    expect(body.spec.template?.spec?.containers.map((c) => c.image)).toEqual([image, 'envoy:1']);
    expect(body.metadata).toMatchObject({ name: 'shop', namespace: 'shop', annotations: { 'expeditor.dev/image': image } });
    expect(body.spec.template?.metadata?.annotations).toBeUndefined();
    const error = thrownError(() => rolloutBody(planned!, { ...p, container: 'sidecar' }, 'shop', {}));
    expect(error.message).toBe('shop.yaml#4: Rollout shop has no container "sidecar" (have: app, proxy)');
    expect(error.input).toBe('container');
  });

  it('summarises a Rollout paused for promotion with both ReplicaSets', () => {
    const p = plan();
    const result = {
      ready: true,
      failure: undefined,
      results: [
        {
          service: 'shop',
          namespace: 'shop',
          live: null,
          target: null,
          deployment: 'shop',
          previewService: 'shop-preview',
          image,
          ready: true,
          replicas: 3,
          available: 3,
          reason: null,
          tookMs: 4200,
          readyAt: 1,
          templateFrom: 'shop.yaml#4',
          hpa: false,
          rollout: { name: 'shop', activeService: 'shop-active', phase: 'Paused', paused: true, stableHash: 'old1', newHash: 'new1' },
        },
      ],
    };
    const markdown = rolloutSummary(p, 'EKS cluster prod', { result }, 5000).toMarkdown();
    expect(markdown).toContain('## deploy-eks ready to promote — EKS cluster prod, namespace shop');
    expect(markdown).toContain('| shop | shop | shop-active → old1 | new1 | 3/3 | paused for promotion, preview shop-preview | — |');
    expect(markdown).toContain('Paused for promotion: shop.');
  });
});

describe("the environment's eks.rollout against the manifest", () => {
  const manifestRollout = (name: string) =>
    ({
      rollout: { metadata: { name } },
      where: `rollouts.yaml#1`,
      source: {},
      activeService: name,
      previewService: undefined,
      autoPromotion: false,
    }) as never;
  const key = 'environments.prod.eks.rollout';

  it('passes when the manifest gives the Rollout it names, or when it names none', () => {
    expect(() => checkNamedRollout(new Map([['shop', manifestRollout('shop')]]), 'shop', key, 'k8s/shop.yaml')).not.toThrow();
    expect(() => checkNamedRollout(undefined, undefined, key, 'k8s/shop.yaml')).not.toThrow();
  });

  it.each([
    ['a manifest without Rollouts', undefined, 'gives no Rollout'],
    ['a manifest with another Rollout', new Map([['shop', manifestRollout('shop-canary')]]), 'gives shop-canary'],
  ])('refuses %s, naming the key', (_, rollouts, message) => {
    const error = thrownError(() => checkNamedRollout(rollouts, 'shop', key, 'k8s/shop.yaml'));
    expect(error.message).toContain(message);
    expect(error).toMatchObject({ key, unchanged: 'nothing was changed' });
  });
});
