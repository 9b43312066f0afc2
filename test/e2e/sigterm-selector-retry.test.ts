// SIGTERM (a cancelled workflow run) between two attempts of bluegreen-switch's selector write on
// EKS, through the bundle on the bed's kube-apiserver. The bed never fails a write by itself, so
// the fault is injected by the fault proxy (fault-proxy.ts) between the bundle and the apiserver:
// the first PATCH of the stable Service gets a 503 (it never reached the apiserver), or its answer
// is lost after the apiserver applied it (a reset connection). Either is retried after a backoff
// (guard.ts; a 409 on the resourceVersion guard is not retried: it is someone else's change, or
// after a retry this run's own first attempt that landed). The proxy cancels the run as the fault
// strikes and only then lets the bundle see it, so the cancel is there when the backoff starts: the
// run must send no second attempt, and its one line must say which color serves — blue and nothing
// switched when the write never landed, green and this run's switch standing when it did (with a
// post analysis, rolled back: a switch nobody watched). Never a half switch: the selector and the
// run's record move together in one write.
import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { annotations } from '../../packages/bluegreen/src/names.ts';
import { useBed } from '../bed/vitest.ts';
import { jobWorkspace, startBundle } from './bundle-run.ts';
import { faultProxy, once, type FaultKind, type FaultProxy } from './fault-proxy.ts';
import { kubeconfigVia, kubeWrite, proxyCertificate } from './fault-scenarios.ts';
import { setUpColors } from './switch-eks-bed.ts';
import { useSwitchEks } from './switch-eks-fixture.ts';
import { expectOneStateLine } from './sigterm-bed.ts';

const bed = useBed(['k8s']);
const { b, stable } = useSwitchEks(bed);
const runUrl = 'https://github.com/acme/shop/actions/runs/1919';

let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/**
 * The switch through a proxy that gives the first PATCH of Service shop `fault`, cancels the run
 * as it strikes, and holds the fault back until the signal has had time to arrive (a pause that
 * orders the two events; nothing is timed).
 */
async function switchCancelledAtRetry(fault: FaultKind, extra: Record<string, string> = {}) {
  const c = await setUpColors(b);
  let child: ChildProcess | undefined;
  const patches: string[] = [];
  const patchOfShop = kubeWrite('PATCH', `services/${c.svc}`);
  const first = once(patchOfShop, fault);
  proxy = await faultProxy(
    bed.k8s.server,
    'kube',
    {
      rate: 0,
      seed: 19,
      pick: (r) => {
        if (patchOfShop(r)) patches.push(r.path);
        return first(r);
      },
      hold: async () => {
        child?.kill('SIGTERM');
        await delay(1_000);
      },
    },
    proxyCertificate(),
  );
  const dir = jobWorkspace(undefined, 'sigterm-retry-');
  const started = startBundle(
    'bluegreen-switch',
    { platform: 'eks', kubeconfig: kubeconfigVia(bed.k8s, proxy), namespace: c.ns, service: c.svc, 'target-color': 'green', ...extra },
    { GITHUB_SHA: 'c0ffee0000000000000000000000000000000019', GITHUB_RUN_ID: '1919' },
    { workspace: dir },
  );
  child = started.child;
  const run = await started.done;
  return { c, run, patches, injected: proxy.injected };
}

describe('bluegreen-switch on EKS cancelled (SIGTERM) between attempts of the selector write (faults injected by the proxy)', () => {
  it('the first attempt refused (503, never applied): no second attempt, still on blue, and the line says nothing was switched', async () => {
    const { c, run, patches, injected } = await switchCancelledAtRetry('unavailable');
    expect(injected.map((i) => i.kind)).toEqual(['unavailable']);
    const line = expectOneStateLine(run, 'bluegreen-switch');
    expect(line).toMatch(/the run was cancelled \(SIGTERM\).*Unchanged: Service shop still selects blue; nothing was switched/);
    expect(patches).toHaveLength(1);
    const svc = await stable(c);
    expect(svc.spec?.selector?.version).toBe('blue');
    expect(svc.metadata?.annotations?.[annotations.runUrl]).toBeUndefined();
  });

  it('the first attempt applied but its answer lost (reset): no second attempt, on green, and the line says this run’s switch stands', async () => {
    const { c, run, patches, injected } = await switchCancelledAtRetry('reset-after');
    expect(injected.map((i) => i.kind)).toEqual(['reset-after']);
    const line = expectOneStateLine(run, 'bluegreen-switch');
    expect(line).toMatch(/the run was cancelled \(SIGTERM\).*Unchanged: Service shop selects green: this run's switch stands/);
    expect(patches).toHaveLength(1);
    const svc = await stable(c);
    // The whole switch, selector and record together.
    expect(svc.spec?.selector?.version).toBe('green');
    expect(svc.metadata?.annotations).toMatchObject({ [annotations.runUrl]: runUrl, [annotations.previousColor]: 'blue' });
  });

  it('the same with a post analysis: the landed switch nobody watched is rolled back to blue, and the line says so', async () => {
    // A post check whose window never opens (its source is never asked: the run stops first).
    const analysis =
      'checks:\n  - name: healthz\n    provider: http\n    url: "http://127.0.0.1:9/healthz"\n    at: [post]\n    interval: 1s\n    count: 3\n';
    const { c, run, patches } = await switchCancelledAtRetry('reset-after', { analysis });
    const line = expectOneStateLine(run, 'bluegreen-switch');
    expect(line).toMatch(
      /the analysis of green after the switch was stopped: the run was cancelled \(SIGTERM\); rolled back: Service shop selects blue again/,
    );
    // The switch and its rollback; no second attempt of the switch.
    expect(patches).toHaveLength(2);
    expect((await stable(c)).spec?.selector?.version).toBe('blue');
  });
});
