// What the EKS switch's tests share on the bed's Kubernetes: a connection made before the file's
// tests, the switch's core run as the action runs it (with its log to read), the stable Service
// and the Ingress as they are now, and the ExpeditorError a refused switch fails with.
// Used by test/e2e/switch-eks*.test.ts (set-ups that benches share stay in switch-eks-bed.ts).
import { beforeAll, expect } from 'vitest';
import type { V1Ingress, V1Service } from '@kubernetes/client-node';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { ExpeditorError } from '../../packages/shared/src/errors.ts';
import { eksSwitch } from '../../actions/bluegreen-switch/src/eks/switch.ts';
import type { EksSwitchOptions, EksSwitchResult } from '../../actions/bluegreen-switch/src/eks/types.ts';
import type { K8sPart } from '../bed/types.ts';
import { bedside, type Bedside, type Colors } from './switch-eks-bed.ts';

export interface SwitchEks {
  /** Connection and clients to the bed's apiserver: filled in by beforeAll, read it inside tests. */
  b: Bedside;
  /** Starts the switch's core as the action calls it; `result` is its outcome, `log` what it wrote. */
  run(opts: EksSwitchOptions, signal?: AbortSignal): { log: ReturnType<typeof memoryLog>; result: Promise<EksSwitchResult> };
  /** The stable Service of `c` as it is now. */
  stable(c: Colors): Promise<V1Service>;
  /** The Ingress of `c` as it is now. */
  readIngress(c: Colors): Promise<V1Ingress>;
}

/** Connects to `bed.k8s` before the file's tests (like useBed, the object is filled in then). */
export function useSwitchEks(bed: { k8s: K8sPart }): SwitchEks {
  const b = {} as Bedside;
  beforeAll(async () => {
    Object.assign(b, await bedside(bed.k8s));
  });
  return {
    b,
    run(opts, signal = new AbortController().signal) {
      const log = memoryLog();
      return { log, result: eksSwitch(opts, { kube: b.kube, log, signal }) };
    },
    stable: (c) => b.connection.core.readNamespacedService({ namespace: c.ns, name: c.svc }),
    readIngress: (c) => b.connection.networking.readNamespacedIngress({ namespace: c.ns, name: c.ingress }),
  };
}

/** The ExpeditorError `promise` fails with; the test fails if it succeeds or fails otherwise. */
export async function failure(promise: Promise<unknown>): Promise<ExpeditorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected the call to fail').toBeInstanceOf(ExpeditorError);
  return error as ExpeditorError;
}
