// The EKS switch's core on the bed's real Kubernetes (apiserver, endpoint controllers, KWOK pods),
// route `service`: selector switch with convergence, rollback, cleanup, refusals that change
// nothing, bad input, races between two switches and a sampler that must never see the stable
// Service without endpoints.
import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { useBed } from '../bed/vitest.ts';
import { sources, waitUntil } from '@expeditor/kube/watch';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { CancelledError } from '../../packages/shared/src/deadline.ts';
import { eksSwitch } from '../../actions/bluegreen-switch/src/eks/switch.ts';
import { SwitchConflictError } from '../../actions/bluegreen-switch/src/eks/guard.ts';
import type { EksSwitchResult } from '../../actions/bluegreen-switch/src/eks/types.ts';
import { deployment, options, readyNames, sampleEndpoints, setUpColors, waitEndpoints, type Colors } from './switch-eks-bed.ts';
import { failure, useSwitchEks } from './switch-eks-fixture.ts';

const bed = useBed(['k8s']);
const { b, run, stable } = useSwitchEks(bed);

describe('route service', () => {
  it('switches the selector, records the switch, and reports when the endpoints were only the target pods; rollback and cleanup follow', async () => {
    const c = await setUpColors(b);
    const greenPods = await waitEndpoints(b, c.ns, `${c.svc}-preview`, (n) => n.length === 3);

    const first = run(options(c, { targetColor: 'green' }));
    const switched = await first.result;
    expect(switched).toMatchObject({ action: 'switch', from: 'blue', to: 'green', switched: true });
    expect(switched.convergenceMs).toBeGreaterThan(0);
    // When the call returns, the Service's endpoints are the green pods and nothing else.
    const slices = await b.connection.discovery.listNamespacedEndpointSlice({
      namespace: c.ns,
      labelSelector: `kubernetes.io/service-name=${c.svc}`,
    });
    expect(readyNames(slices.items)).toEqual(greenPods);
    expect(slices.items.flatMap((s) => s.endpoints ?? []).every((e) => e.targetRef?.name?.startsWith('shop-green-'))).toBe(true);
    const svc = await stable(c);
    expect(svc.spec?.selector).toEqual({ app: 'shop', version: 'green' });
    expect(svc.metadata?.annotations).toMatchObject({
      'expeditor.dev/previous-color': 'blue',
      'expeditor.dev/commit': 'c0ffee0000000000000000000000000000000001',
      'expeditor.dev/run-url': 'https://github.com/acme/shop/actions/runs/42',
    });
    expect(Date.parse(svc.metadata?.annotations?.['expeditor.dev/switched-at'] ?? '')).toBeGreaterThan(Date.now() - 600_000);
    expect(first.log.lines.join('\n')).toMatch(/green is ready: 3 Ready pods, all ready endpoints of shop-preview/);

    // Rollback: back to the recorded previous color, blue, still running.
    const back = await run(options(c, { action: 'rollback', runUrl: 'https://github.com/acme/shop/actions/runs/43' })).result;
    expect(back).toMatchObject({ action: 'rollback', from: 'green', to: 'blue', switched: true });
    expect((await stable(c)).spec?.selector?.version).toBe('blue');
    expect((await stable(c)).metadata?.annotations?.['expeditor.dev/previous-color']).toBe('green');

    // Switch to green again, then clean up: blue goes to zero, green is untouched.
    await run(options(c)).result;
    const cleaned = await run(options(c, { action: 'cleanup', removePreview: true })).result;
    expect(cleaned).toMatchObject({
      action: 'cleanup',
      from: 'green',
      to: 'green',
      switched: false,
      scaledDown: { deployment: 'shop-blue', replicas: 3 },
      previewRemoved: true,
    });
    const blue = await b.connection.apps.readNamespacedDeployment({ namespace: c.ns, name: 'shop-blue' });
    const green = await b.connection.apps.readNamespacedDeployment({ namespace: c.ns, name: 'shop-green' });
    expect(blue.spec?.replicas).toBe(0);
    expect(blue.metadata?.annotations?.['expeditor.dev/scaled-down-from']).toBe('3');
    expect(green.spec?.replicas).toBe(3);
    await expect(b.connection.core.readNamespacedService({ namespace: c.ns, name: 'shop-preview' })).rejects.toMatchObject({ code: 404 });

    // Rolling back to blue now is refused: it was scaled to zero. Nothing changes.
    const rv = (await stable(c)).metadata?.resourceVersion;
    const refused = await failure(run(options(c, { action: 'rollback' })).result);
    expect(refused.message).toMatch(/refusing to roll back Service shop to blue: blue is not ready/);
    expect(refused.message).toMatch(/Deployment shop-blue is scaled to zero replicas/);
    expect(refused.unchanged).toMatch(/still selects green/);
    expect((await stable(c)).metadata?.resourceVersion).toBe(rv);

    // Cleaning up again finds nothing to do and never touches the live color.
    const again = await run(options(c, { action: 'cleanup' })).result;
    expect(again.note).toMatch(/Deployment shop-blue is already scaled to zero/);
    expect((await b.connection.apps.readNamespacedDeployment({ namespace: c.ns, name: 'shop-green' })).spec?.replicas).toBe(3);
  });

  it('refuses a crash-looping target and changes nothing', async () => {
    const c = await setUpColors(b, { images: { green: 'bed.local/shop:2-bed-crashloop' } });
    // Wait until the kubelet (KWOK) reports the crash loop on every green pod.
    await waitUntilPods(
      c,
      'green',
      (pods) => pods.length === 3 && pods.every((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff'),
    );
    const before = await stable(c);
    const error = await failure(run(options(c)).result);
    expect(error.message).toMatch(/refusing to switch Service shop to green: green is not ready/);
    expect(error.message).toMatch(/Deployment shop-green: 0 of 3 replicas available/);
    expect(error.message).toMatch(/pod shop-green-\S+ is not Ready: container app CrashLoopBackOff, \d+ restarts/);
    expect(error.unchanged).toBe('Service shop still selects blue; nothing was changed');
    const after = await stable(c);
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(after.spec?.selector?.version).toBe('blue');
  });

  it('refuses a target whose rollout is stuck part-way (3 old pods ready, the new one never ready) and changes nothing', async () => {
    const c = await setUpColors(b);
    // A new template for green whose first pod never becomes Ready: maxUnavailable 0 keeps the 3 old.
    const stuck = deployment('shop', 'green', 'bed.local/shop:3-bed-never-ready', 3);
    await b.connection.apps.replaceNamespacedDeployment({ namespace: c.ns, name: 'shop-green', body: stuck });
    await waitUntilPods(
      c,
      'green',
      (pods) =>
        pods.length === 4 && pods.some((p) => p.spec?.containers[0]?.image?.includes('never-ready') && p.status?.phase === 'Running'),
    );
    // The pods can be there before the controller counts the new one in the Deployment's status.
    for (let i = 0; i < 200; i++) {
      const d = await b.connection.apps.readNamespacedDeployment({ namespace: c.ns, name: 'shop-green' });
      if (d.status?.updatedReplicas === 1 && (d.status.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const before = await stable(c);
    const error = await failure(run(options(c)).result);
    expect(error.message).toMatch(/Deployment shop-green: 1 of 3 replicas run the latest template/);
    expect(error.message).toMatch(/is not Ready: container app is running but not ready/);
    expect((await stable(c)).metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it('refuses when a pod the Service would select is not ready, though the Deployment is available', async () => {
    const c = await setUpColors(b);
    // A stray pod with green's labels: the switched Service would send it traffic.
    await b.connection.core.createNamespacedPod({
      namespace: c.ns,
      body: {
        metadata: { name: 'stray-green', labels: { app: 'shop', version: 'green' } },
        spec: { containers: [{ name: 'app', image: 'bed.local/x:bed-never-ready' }] },
      },
    });
    await waitUntilPods(c, 'green', (pods) => pods.some((p) => p.metadata?.name === 'stray-green' && p.status?.phase === 'Running'));
    const before = await stable(c);
    const error = await failure(run(options(c)).result);
    expect(error.message).toMatch(/pod stray-green is not Ready/);
    expect(error.message).not.toMatch(/Deployment shop-green/);
    expect((await stable(c)).metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it('cleanup keeps the old color for the keep period: refuses when it ends after the deadline, waits when it ends before', async () => {
    const c = await setUpColors(b);
    await run(options(c)).result;
    const blue = () => b.connection.apps.readNamespacedDeployment({ namespace: c.ns, name: 'shop-blue' });
    const rv = (await blue()).metadata?.resourceVersion;
    const log = memoryLog();
    const early = await failure(
      eksSwitch(options(c, { action: 'cleanup', keepMs: 3_600_000 }), {
        kube: b.kube,
        log,
        signal: new AbortController().signal,
        deadlineAt: Date.now() + 600_000,
      }),
    );
    expect(early.message).toMatch(/^blue has been idle since .*; the keep period of 1 h 0 min ends at .*, after this run's deadline$/);
    expect(early.input).toBe('keep');
    expect(early.unchanged).toBe('nothing was changed; blue keeps running as a hot standby');
    expect((await blue()).metadata?.resourceVersion).toBe(rv);

    // A clock 59 min 59.9 s past the switch: the last 100 ms are waited out, then blue goes.
    const switchedAt = Date.parse((await stable(c)).metadata?.annotations?.['expeditor.dev/switched-at'] ?? '');
    const clock = { offset: switchedAt + 3_599_900 - Date.now() };
    const waited = await eksSwitch(options(c, { action: 'cleanup', keepMs: 3_600_000 }), {
      kube: b.kube,
      log,
      signal: new AbortController().signal,
      now: () => Date.now() + clock.offset,
    });
    expect(waited.scaledDown).toEqual({ deployment: 'shop-blue', replicas: 3 });
    expect(log.lines.join('\n')).toMatch(/keeping blue as a hot standby for \d+ ms more/);
    expect((await blue()).spec?.replicas).toBe(0);
  });

  it('a target that is already live is a no-op, said so', async () => {
    const c = await setUpColors(b);
    const before = await stable(c);
    const { result, log } = run(options(c, { targetColor: 'blue' }));
    const r = await result;
    expect(r).toMatchObject({ from: 'blue', to: 'blue', switched: false, convergenceMs: undefined });
    expect(r.note).toBe('blue is already live on Service shop; nothing was changed');
    expect(log.lines).toContain(r.note);
    expect((await stable(c)).metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it('bad input: unknown Service, a selector without the color label, an unknown label, no recorded switch — each names what is wrong and changes nothing', async () => {
    const c = await setUpColors(b, { preview: false });
    const before = await stable(c);
    const unknown = await failure(run(options(c, { service: 'nope' })).result);
    expect(unknown.message).toBe(`Service nope does not exist in namespace ${c.ns}`);
    expect(unknown.input).toBe('service');

    const label = await failure(run(options(c, { colorLabel: 'color' })).result);
    expect(label.message).toBe("the selector of Service shop (app=shop,version=blue) has no color label 'color'");
    expect(label.input).toBe('color-label');

    await b.connection.core.createNamespacedService({
      namespace: c.ns,
      body: { metadata: { name: 'plain' }, spec: { selector: { app: 'shop' }, ports: [{ port: 80 }] } },
    });
    const plain = await failure(run(options(c, { service: 'plain' })).result);
    expect(plain.message).toMatch(/selector of Service plain \(app=shop\) has no color label 'version'/);

    await b.connection.core.createNamespacedService({
      namespace: c.ns,
      body: { metadata: { name: 'odd' }, spec: { selector: { app: 'shop', version: 'purple' }, ports: [{ port: 80 }] } },
    });
    const odd = await failure(run(options(c, { service: 'odd' })).result);
    expect(odd.message).toBe('Service odd selects version=purple, which is neither blue nor green');

    // A run cancelled before its write changes nothing.
    const cancelled = new AbortController();
    cancelled.abort(new CancelledError('SIGTERM'));
    const early = await failure(run(options(c), cancelled.signal).result);
    expect(early.message).toBe('the run was cancelled (SIGTERM)');

    const rollback = await failure(run(options(c, { action: 'rollback' })).result);
    expect(rollback.message).toMatch(/Service shop has no recorded switch to roll back/);
    expect((await stable(c)).metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);

    // Without a preview Service the target's pods are checked directly, and said so.
    const { result, log } = run(options(c));
    await result;
    expect(log.lines.join('\n')).toMatch(/no preview Service shop-preview: checking green's pods directly/);
  });

  it('of two switches that read the same Service, exactly one wins; the other says someone else switched and changes nothing', async () => {
    const c = await setUpColors(b);
    const a = run(options(c, { targetColor: 'green', runUrl: 'https://github.com/acme/shop/actions/runs/1001' }));
    const z = run(options(c, { targetColor: 'green', runUrl: 'https://github.com/acme/shop/actions/runs/1002' }));
    const outcomes = await Promise.allSettled([a.result, z.result]);
    const won = outcomes.filter((o): o is PromiseFulfilledResult<EksSwitchResult> => o.status === 'fulfilled' && o.value.switched);
    expect(won).toHaveLength(1);
    const other = outcomes.find((o) => !(o.status === 'fulfilled' && o.value.switched))!;
    // Both read before either wrote (the same resourceVersion): the loser's write is refused.
    if (other.status === 'rejected') {
      expect(other.reason).toBeInstanceOf(SwitchConflictError);
      expect((other.reason as Error).message).toMatch(
        /someone else switched Service shop while this run was deciding: it now selects green \(switched by https:\/\/github.com\/acme\/shop\/actions\/runs\/100[12] at .*\); this run's switch to green was not applied/,
      );
    } else {
      expect(other.value).toMatchObject({ switched: false });
      expect(other.value.note).toMatch(/green is already live on Service shop \(switched by .*runs\/100[12]/);
    }
    const svc = await stable(c);
    expect(svc.spec?.selector?.version).toBe('green');
    const winner = outcomes.findIndex((o) => o.status === 'fulfilled' && o.value.switched) === 0 ? '1001' : '1002';
    expect(svc.metadata?.annotations?.['expeditor.dev/run-url']).toBe(`https://github.com/acme/shop/actions/runs/${winner}`);
  });

  it('while switching back and forth, a sampler reading the stable Service every few ms never sees it without endpoints', async () => {
    const c = await setUpColors(b);
    const sampler = sampleEndpoints(b, c.ns, c.svc);
    const results: EksSwitchResult[] = [];
    for (let i = 0; i < 6; i++) {
      results.push(await run(options(c, { runUrl: `https://github.com/acme/shop/actions/runs/${2000 + i}` })).result);
    }
    const sampled = await sampler.stop();
    expect(results.map((r) => r.to)).toEqual(['green', 'blue', 'green', 'blue', 'green', 'blue']);
    expect(results.every((r) => r.switched && (r.convergenceMs ?? 0) > 0)).toBe(true);
    expect(sampled.samples).toBeGreaterThan(20);
    expect(sampled.emptyDetails).toEqual([]);
  });
  it('the sampler does see an empty Service when a selector is patched by hand to a color with no pods (the check the switch exists for)', async () => {
    const c = await setUpColors(b, { live: 'blue' });
    const sampler = sampleEndpoints(b, c.ns, c.svc);
    await b.connection.core.patchNamespacedService(
      { namespace: c.ns, name: c.svc, body: { spec: { selector: { version: 'purple' } } } },
      b.connection.patchOptions('merge'),
    );
    await waitEndpoints(b, c.ns, c.svc, (names) => names.length === 0);
    await new Promise((r) => setTimeout(r, 50));
    const sampled = await sampler.stop();
    expect(sampled.empty).toBeGreaterThan(0);
  });
});

async function waitUntilPods(c: Colors, color: string, done: (pods: V1Pod[]) => boolean): Promise<void> {
  await waitUntil(b.connection, {
    sources: { pods: sources(b.connection, c.ns).pods(`app=${c.svc},version=${color}`) },
    check: ({ pods }) => (done([...pods]) ? true : undefined),
  });
}
