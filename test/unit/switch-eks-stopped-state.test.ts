// A Service-route switch ended by a cancel or by the run's deadline says where traffic is, read
// back from the stable Service: this run's switch stands (its run URL is on the Service), or
// nothing was switched. The Service is given as the apiserver would answer it.
import { describe, expect, it } from 'vitest';
import type { V1Service } from '@kubernetes/client-node';
import { withSelectorState } from '../../actions/bluegreen-switch/src/eks/cancelled.ts';
import type { EksSwitchDeps, EksSwitchOptions } from '../../actions/bluegreen-switch/src/eks/types.ts';
import { CancelledError, DeadlineError } from '../../packages/shared/src/deadline.ts';
import { ExpeditorError } from '../../packages/shared/src/errors.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';

const RUN = 'https://github.com/acme/shop/actions/runs/7';
const opts = { namespace: 'shop', stableService: 'shop', colorLabel: 'version', runUrl: RUN } as EksSwitchOptions;
const deps = (service: V1Service | undefined): EksSwitchDeps =>
  ({
    kube: { readService: async () => service ?? Promise.reject(new Error('unreachable')) },
    log: memoryLog(),
    signal: new AbortController().signal,
  }) as unknown as EksSwitchDeps;
const service = (color: string, runUrl?: string): V1Service => ({
  metadata: { name: 'shop', annotations: runUrl ? { 'expeditor.dev/run-url': runUrl } : {} },
  spec: { selector: { app: 'shop', version: color } },
});

async function stopped(error: unknown, svc: V1Service | undefined): Promise<ExpeditorError> {
  try {
    await withSelectorState(error, opts, deps(svc));
  } catch (thrown) {
    return thrown as ExpeditorError;
  }
  throw new Error('withSelectorState returned');
}

describe('where a stopped Service-route switch left traffic', () => {
  it('a cancel before the write: still on the live color, nothing switched', async () => {
    const e = await stopped(new CancelledError('SIGTERM'), service('blue'));
    expect(e.unchanged).toBe('Service shop still selects blue; nothing was switched');
  });

  it('the deadline after the write landed: this run’s switch stands, with the deadline’s advice', async () => {
    const e = await stopped(new DeadlineError(60_000), service('green', RUN));
    expect(e.message).toBe('the deadline of 1 min ran out');
    expect(e.unchanged).toBe("Service shop selects green: this run's switch stands");
    expect(e.next).toMatch(/raise the 'timeout' input/);
  });

  it('a Service that cannot be read: says where to look', async () => {
    const e = await stopped(new DeadlineError(60_000), undefined);
    expect(e.unchanged).toBeUndefined();
    expect(e.next).toBe("look at Service shop's selector (kubectl get service shop -o yaml)");
  });

  it('any other error, or one that already says what it left, passes through', async () => {
    const other = new ExpeditorError('conflict', { unchanged: 'this run changed nothing' });
    expect(await stopped(other, service('blue'))).toBe(other);
    const plain = new Error('boom');
    expect(await stopped(plain, service('blue'))).toBe(plain);
  });
});
