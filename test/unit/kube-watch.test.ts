// waitUntil against the bed's real apiserver: list then watch, resume after the server ends a
// watch (a short timeoutSeconds), list again after a real 410 Gone, deadline and cancel.
import { describe, expect, it } from 'vitest';
import type { V1ConfigMap, V1PodTemplate } from '@kubernetes/client-node';
import { useBed } from '../bed/vitest.ts';
import { connectKube, type KubeConnection } from '@expeditor/kube/connect';
import { StopWaiting, WaitInterrupted, waitUntil, type WatchSource } from '@expeditor/kube/watch';
import { DeadlineError } from '../../packages/shared/src/deadline.ts';

const bed = useBed(['k8s']);
let n = 0;

async function setup(): Promise<{ c: KubeConnection; ns: string; maps: WatchSource<V1ConfigMap> }> {
  const c = await connectKube({ kubeconfig: { path: bed.k8s.kubeconfig } });
  const ns = `watch-${++n}`;
  await c.core.createNamespace({ body: { metadata: { name: ns } } });
  const maps: WatchSource<V1ConfigMap> = {
    path: `/api/v1/namespaces/${ns}/configmaps`,
    labelSelector: 'test=watch',
    list: () => c.core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'test=watch' }),
  };
  return { c, ns, maps };
}

const configMap = (name: string, value: string) => ({ metadata: { name, labels: { test: 'watch' } }, data: { value } });

describe('waitUntil', () => {
  it('holds at once when the list already satisfies the predicate, with one list and no wait', async () => {
    const { c, ns, maps } = await setup();
    await c.core.createNamespacedConfigMap({ namespace: ns, body: configMap('a', '1') });
    const before = c.stats.requests;
    const result = await waitUntil(c, { sources: { maps }, check: (s) => (s.maps.length === 1 ? s.maps[0]?.data?.value : undefined) });
    expect(result.value).toBe('1');
    expect(c.stats.requests - before).toBe(1);
    expect(c.stats.openWatches).toBe(0);
  });

  it('sees changes as they happen and resumes after the server ends the watch (timeoutSeconds)', async () => {
    const { c, ns, maps } = await setup();
    const restarts: string[] = [];
    const waiting = waitUntil(c, {
      sources: { maps },
      watchTimeoutSeconds: 1,
      onRestart: (source, why) => restarts.push(`${source}:${why}`),
      check: (s) => (s.maps.find((m) => m.data?.value === 'done') ? s.maps.length : undefined),
    });
    // Long enough for the server to end the first watches (timeoutSeconds 1) more than once.
    await new Promise((r) => setTimeout(r, 2500));
    await c.core.createNamespacedConfigMap({ namespace: ns, body: configMap('a', 'working') });
    await c.core.patchNamespacedConfigMap({ name: 'a', namespace: ns, body: { data: { value: 'done' } } }, c.patchOptions('merge'));
    const result = await waiting;
    expect(result.value).toBe(1);
    expect(restarts.filter((r) => r === 'maps:ended').length).toBeGreaterThanOrEqual(1);
    expect(restarts).not.toContain('maps:gone');
    expect(c.stats.relists).toBe(0);
    expect(c.stats.watches).toBeGreaterThanOrEqual(2);
    expect(c.stats.openWatches).toBe(0);
  });

  it('lists again when the server answers 410 Gone for a resourceVersion it no longer has', async () => {
    const { c, ns } = await setup();
    // PodTemplates skip the bed apiserver's watch cache, so their watches are served by etcd.
    const template = (name: string) => ({
      metadata: { name, labels: { test: 'watch' } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'r/x:1' }] } },
    });
    await c.core.createNamespacedPodTemplate({ namespace: ns, body: template('a') });
    const first = await c.core.listNamespacedPodTemplate({ namespace: ns, labelSelector: 'test=watch' });
    // Changes after that list, then etcd forgets its history (as the apiserver's periodic
    // compaction does): a watch from the list's resourceVersion is answered 410 Gone.
    await c.core.createNamespacedPodTemplate({ namespace: ns, body: template('b') });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: configMap('later', 'x') });
    await bed.k8s.compactEtcd();
    let lists = 0;
    const templates: WatchSource<V1PodTemplate> = {
      path: `/api/v1/namespaces/${ns}/podtemplates`,
      labelSelector: 'test=watch',
      // The first list is the one made before the compaction (a wait that started long ago).
      list: async () => (++lists === 1 ? first : c.core.listNamespacedPodTemplate({ namespace: ns, labelSelector: 'test=watch' })),
    };
    const restarts: string[] = [];
    const result = await waitUntil(c, {
      sources: { templates },
      onRestart: (_source, why, detail) => restarts.push(`${why}: ${detail}`),
      check: (s) => (s.templates.some((m) => m.metadata?.name === 'b') ? s.templates.length : undefined),
    });
    expect(result.value).toBe(2);
    expect(lists).toBe(2);
    expect(c.stats.relists).toBe(1);
    expect(restarts).toEqual(['gone: The resourceVersion for the provided watch is too old.']);
  });

  it('stops at its deadline with the last snapshot, and on the run signal', async () => {
    const { c, ns, maps } = await setup();
    await c.core.createNamespacedConfigMap({ namespace: ns, body: configMap('a', 'x') });
    const late = await waitUntil(c, { sources: { maps }, timeoutMs: 300, check: () => undefined }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(WaitInterrupted);
    expect((late as WaitInterrupted).reason).toBeInstanceOf(DeadlineError);
    expect(((late as WaitInterrupted<{ maps: V1ConfigMap[] }>).snapshot.maps ?? []).length).toBe(1);
    const run = new AbortController();
    const waiting = waitUntil(c, { sources: { maps }, signal: run.signal, check: () => undefined }).catch((e: unknown) => e);
    setTimeout(() => run.abort(new Error('cancelled by the test')), 200);
    const cancelled = await waiting;
    expect((cancelled as WaitInterrupted).reason.message).toBe('cancelled by the test');
    expect(c.stats.openWatches).toBe(0);
  });

  it('a check that throws StopWaiting ends the wait with it', async () => {
    const { c, ns, maps } = await setup();
    const waiting = waitUntil(c, {
      sources: { maps },
      check: (s) => {
        if (s.maps.some((m) => m.data?.value === 'broken')) throw new StopWaiting('it broke', { name: 'a' });
        return undefined;
      },
    }).catch((e: unknown) => e);
    await c.core.createNamespacedConfigMap({ namespace: ns, body: configMap('a', 'broken') });
    const error = await waiting;
    expect(error).toBeInstanceOf(StopWaiting);
    expect((error as StopWaiting<{ name: string }>).detail.name).toBe('a');
  });
});
