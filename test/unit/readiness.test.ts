// The one readiness predicate, table by table: what makes a color ready, what makes it fail for
// good, and the contract between deploy-eks and bluegreen-switch — on the same objects, whatever
// deploy-eks's wait calls ready the switch's guard accepts.
import type { V1Deployment, V1EndpointSlice, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { colorStatus, endpointState, isPodReady, type ColorObjects } from '@expeditor/bluegreen/readiness';
import { assess } from '../../actions/deploy-eks/src/progress.ts';

const uid = 'dep-uid';
const rsUid = 'rs-2';
const selector = { app: 'shop', version: 'green' };

function deployment(
  over: {
    replicas?: number;
    paused?: boolean;
    generation?: number;
    observed?: number;
    updated?: number;
    available?: number;
    total?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    deleting?: boolean;
  } = {},
): V1Deployment {
  const replicas = over.replicas ?? 2;
  return {
    metadata: {
      name: 'shop-green',
      uid,
      generation: over.generation ?? 3,
      annotations: { 'deployment.kubernetes.io/revision': '2' },
      ...(over.deleting ? { deletionTimestamp: new Date() } : {}),
    },
    spec: {
      replicas,
      ...(over.paused ? { paused: true } : {}),
      selector: { matchLabels: selector },
      template: { metadata: { labels: { ...selector } }, spec: { containers: [{ name: 'app', image: 'x' }] } },
    },
    status: {
      observedGeneration: over.observed ?? over.generation ?? 3,
      replicas: over.total ?? replicas,
      updatedReplicas: over.updated ?? replicas,
      availableReplicas: over.available ?? replicas,
      conditions: (over.conditions ?? [{ type: 'Available', status: 'True' }]).map((c) => ({ ...c, lastUpdateTime: undefined })) as never,
    },
  };
}

const replicaSets = (): V1ReplicaSet[] => [
  {
    metadata: {
      name: 'shop-green-old',
      uid: 'rs-1',
      ownerReferences: [{ uid, kind: 'Deployment', name: 'shop-green', apiVersion: 'apps/v1' }],
      annotations: { 'deployment.kubernetes.io/revision': '1' },
    },
  },
  {
    metadata: {
      name: 'shop-green-new',
      uid: rsUid,
      ownerReferences: [{ uid, kind: 'Deployment', name: 'shop-green', apiVersion: 'apps/v1' }],
      annotations: { 'deployment.kubernetes.io/revision': '2' },
    },
  },
];

function pod(name: string, over: { ready?: boolean; owner?: string; deleting?: boolean; phase?: string; waiting?: string } = {}): V1Pod {
  return {
    metadata: {
      name,
      labels: { ...selector },
      ownerReferences: [{ uid: over.owner ?? rsUid, kind: 'ReplicaSet', name: 'rs', apiVersion: 'apps/v1' }],
      ...(over.deleting ? { deletionTimestamp: new Date() } : {}),
    },
    spec: { containers: [{ name: 'app' }] },
    status: {
      phase: over.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: over.ready === false ? 'False' : 'True' }],
      containerStatuses: over.waiting
        ? [
            {
              name: 'app',
              ready: false,
              restartCount: 3,
              image: 'x',
              imageID: '',
              state: { waiting: { reason: over.waiting, message: 'back-off' } },
            },
          ]
        : [{ name: 'app', ready: over.ready !== false, restartCount: 0, image: 'x', imageID: '' }],
    },
  };
}

type Conditions = { ready?: boolean; terminating?: boolean };
function slice(...endpoints: [string, Conditions?][]): V1EndpointSlice {
  return {
    addressType: 'IPv4',
    endpoints: endpoints.map(([name, conditions], i) => ({
      addresses: [`10.0.0.${i + 1}`],
      targetRef: { kind: 'Pod', name },
      ...(conditions ? { conditions } : {}),
    })),
  };
}

/** Two Ready pods of the current revision, listed ready by the preview Service: the happy case. */
function healthy(): Omit<ColorObjects, 'color' | 'deploymentName'> & { slices: V1EndpointSlice[] } {
  const slices = [slice(['p1', { ready: true }], ['p2', { ready: true }])];
  return {
    deployment: deployment(),
    replicaSets: replicaSets(),
    pods: [pod('p1'), pod('p2')],
    endpoints: { service: 'shop-preview', slices },
    selector,
    slices,
  };
}

const status = (o: Partial<ReturnType<typeof healthy>>) =>
  colorStatus({ color: 'green', deploymentName: 'shop-green', ...healthy(), ...o });

describe('colorStatus', () => {
  it('calls a fully rolled-out color with its endpoints listed ready, and prints one line', () => {
    const s = status({});
    expect(s).toMatchObject({ ready: true, failure: undefined, problems: [], readyPods: ['p1', 'p2'], desired: 2 });
    expect(s.line).toBe('green: 2/2 available, Service shop-preview endpoints ready');
  });

  it.each<[string, Partial<ReturnType<typeof healthy>>, RegExp]>([
    ['a missing Deployment', { deployment: undefined }, /Deployment shop-green does not exist/],
    ['a controller behind the spec', { deployment: deployment({ generation: 4, observed: 3 }) }, /has not yet acted on its latest spec/],
    ['replicas on the old template', { deployment: deployment({ updated: 1 }) }, /1 of 2 replicas run the latest template/],
    ['replicas not yet available', { deployment: deployment({ available: 1 }) }, /1 of 2 replicas available/],
    [
      'Available=False though the counts look done',
      { deployment: deployment({ conditions: [{ type: 'Available', status: 'False', message: 'min not met' }] }) },
      /is not Available \(min not met\)/,
    ],
    ['an old replica still there', { deployment: deployment({ total: 3 }) }, /1 pod of an older revision still there/],
    ['an old pod still running', { pods: [pod('p1'), pod('p2'), pod('old', { owner: 'rs-1' })] }, /1 pod of an older revision/],
    ['a pod not Ready', { pods: [pod('p1'), pod('p2', { ready: false })] }, /pod p2 is not Ready: container app is running but not ready/],
    ['pod template without the selected labels', { selector: { app: 'shop', version: 'green', tier: 'web' } }, /lack the label tier=web/],
    ['no pods at all', { pods: [] }, /no pod of green is running/],
    [
      'an endpoint explicitly not ready',
      { endpoints: { service: 'shop-preview', slices: [slice(['p1', { ready: true }], ['p2', { ready: false }])] } },
      /does not list p2 as ready endpoints yet/,
    ],
    [
      'a terminating endpoint',
      { endpoints: { service: 'shop-preview', slices: [slice(['p1'], ['p2', { ready: true, terminating: true }])] } },
      /does not list p2/,
    ],
    [
      'an endpoint of another pod',
      { endpoints: { service: 'shop-preview', slices: [slice(['p1'], ['p2'], ['stranger'])] } },
      /lists stranger, which is not a ready pod of green/,
    ],
    ['no endpoints at all', { endpoints: { service: 'shop-preview', slices: [] } }, /Service shop-preview has no ready endpoints/],
  ])('is not ready with %s', (_, objects, problem) => {
    const s = status(objects);
    expect(s.ready).toBe(false);
    expect(s.failure).toBeUndefined();
    expect(s.problems.join('\n')).toMatch(problem);
  });

  it.each<[string, Partial<ReturnType<typeof healthy>>, string]>([
    ['scaled to zero (never ready to switch)', { deployment: deployment({ replicas: 0 }), pods: [] }, 'ScaledToZero'],
    ['paused', { deployment: deployment({ paused: true }) }, 'Paused'],
    ['being deleted', { deployment: deployment({ deleting: true }) }, 'Deleting'],
    ['a pod in CrashLoopBackOff', { pods: [pod('p1'), pod('p2', { ready: false, waiting: 'CrashLoopBackOff' })] }, 'CrashLoopBackOff'],
    ['an image that cannot be pulled', { pods: [pod('p1', { ready: false, waiting: 'ImagePullBackOff' }), pod('p2')] }, 'ImagePullBackOff'],
    [
      'the progress deadline passed',
      {
        deployment: deployment({
          available: 1,
          conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'took too long' }],
        }),
      },
      'ProgressDeadlineExceeded',
    ],
  ])('fails for good when %s', (_, objects, kind) => {
    const s = status(objects);
    expect(s.ready).toBe(false);
    expect(s.failure?.kind).toBe(kind);
    expect(s.line).toContain(kind);
  });

  it('does not count status from before our own write', () => {
    const s = colorStatus({ color: 'green', deploymentName: 'shop-green', ...healthy(), writtenGeneration: 4 });
    expect(s.ready).toBe(false);
    expect(s.line).toBe('green: waiting for the deployment controller');
  });

  it('ignores terminating and finished pods: they are never endpoints', () => {
    const s = status({
      pods: [pod('p1'), pod('p2'), pod('gone', { deleting: true, ready: false }), pod('job', { phase: 'Succeeded', ready: false })],
    });
    expect(s.ready).toBe(true);
  });
});

describe('endpointState', () => {
  it.each<[Conditions | undefined, boolean]>([
    [undefined, true], // unset means ready: the API's rule
    [{}, true],
    [{ ready: true }, true],
    [{ ready: false }, false],
    [{ ready: true, terminating: true }, false],
  ])('conditions %j → ready %s', (conditions, ready) => {
    expect(endpointState({ addresses: ['10.0.0.1'], ...(conditions ? { conditions } : {}) }).ready).toBe(ready);
  });

  it('a terminating pod is not Ready even with a True condition', () => {
    expect(isPodReady(pod('p', { deleting: true }))).toBe(false);
  });
});

describe('deploy-eks and bluegreen-switch agree (one predicate, same objects)', () => {
  // Each case: the objects both sides see. deploy-eks reads the preview Service's endpoints and
  // the pods by app and color; the switch reads the pods by the Service's selector.
  const cases: [string, Partial<ReturnType<typeof healthy>>][] = [
    ['healthy', {}],
    ['endpoint ready unset (nil = ready)', { slices: [slice(['p1'], ['p2'])] }],
    ['paused', { deployment: deployment({ paused: true }) }],
    ['Available=False', { deployment: deployment({ conditions: [{ type: 'Available', status: 'False' }] }) }],
    ['zero replicas', { deployment: deployment({ replicas: 0 }), pods: [] }],
    ['terminating endpoint', { slices: [slice(['p1'], ['p2', { terminating: true }])] }],
    ['old pod left', { pods: [pod('p1'), pod('p2'), pod('old', { owner: 'rs-1' })] }],
    ['not-ready pod', { pods: [pod('p1'), pod('p2', { ready: false })] }],
  ];
  it.each(cases)('%s', (_, over) => {
    const objects = { ...healthy(), ...over };
    const slices = over.slices ?? objects.slices;
    const byDeployEks = assess(
      { deployment: objects.deployment, replicaSets: objects.replicaSets, pods: objects.pods, slices },
      'shop',
      'green',
      0,
      selector,
    );
    const bySwitch = colorStatus({
      color: 'green',
      deploymentName: 'shop-green',
      deployment: objects.deployment,
      replicaSets: objects.replicaSets,
      pods: objects.pods,
      selector,
      endpoints: { service: 'shop-preview', slices },
    });
    if (byDeployEks.ready) expect(bySwitch.ready).toBe(true);
    expect(bySwitch.ready).toBe(byDeployEks.ready);
  });

  it('on the Ingress route, deploy-eks is not ready while the color Service the switch will check is behind the preview', () => {
    // The race CI once hit: the preview listed both pods, the color's own Service (the Ingress
    // backend the switch checks) not yet, so deploy-eks said ready and the switch refused.
    const objects = healthy();
    const behind = { service: 'shop-green', slices: [slice(['p1', { ready: true }])] };
    const byDeployEks = assess({ ...objects, colorSlices: behind }, 'shop', 'green', 0, selector);
    const bySwitch = colorStatus({ ...objects, color: 'green', deploymentName: 'shop-green', endpoints: behind });
    expect(byDeployEks.ready).toBe(false);
    expect(bySwitch.ready).toBe(false);
    expect(byDeployEks.problems).toEqual(['Service shop-green does not list p2 as ready endpoints yet']);
    expect(byDeployEks.line).toBe('green: 2/2 available, Service shop-green endpoints 1/2');
    const caughtUp = { service: 'shop-green', slices: objects.slices };
    const ready = assess({ ...objects, colorSlices: caughtUp }, 'shop', 'green', 0, selector);
    expect(ready.ready).toBe(true);
    expect(ready.line).toBe('green: 2/2 available, preview and Service shop-green endpoints ready');
  });

  it('the three cases that once disagreed are now decided the same way', () => {
    const nilReady = { ...healthy(), slices: [slice(['p1'], ['p2'])] };
    expect(assess({ ...nilReady, slices: nilReady.slices }, 'shop', 'green', 0, selector).ready).toBe(true);
    const paused = { ...healthy(), deployment: deployment({ paused: true }) };
    expect(assess(paused, 'shop', 'green', 0, selector).ready).toBe(false);
    const unavailable = { ...healthy(), deployment: deployment({ conditions: [{ type: 'Available', status: 'False' }] }) };
    expect(assess(unavailable, 'shop', 'green', 0, selector).ready).toBe(false);
  });
});
