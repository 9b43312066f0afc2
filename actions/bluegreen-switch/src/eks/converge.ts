// After the selector switch: watch the stable Service's EndpointSlices and the target's pods
// until every endpoint is a target pod (and at least one is ready), and say how long it took.
import type { V1EndpointSlice, V1Pod } from '@kubernetes/client-node';
import { ChangeLog, type Log } from '@expeditor/shared/log';
import { ExpeditorError } from '@expeditor/shared/errors';
import { abortReason, formatDuration } from '@expeditor/shared/deadline';
import { sources, waitUntil, WaitInterrupted } from '@expeditor/kube/watch';
import { endpointStates, selectorText } from '@expeditor/bluegreen/readiness';
import type { Kube } from './kube.ts';

export interface ConvergeOptions {
  namespace: string;
  service: string;
  /** The Service's new selector: the pods it matches are the target's. */
  selector: Record<string, string>;
  /** performance.now() when the switch request was sent. */
  since: number;
  signal: AbortSignal;
  log: Log;
}

export interface Converged {
  ms: number;
  /** Ready endpoints at the end. */
  endpoints: number;
}

interface Count {
  target: number;
  other: number;
  ready: number;
}

/** Endpoints split into the target's pods and the rest (any condition: a draining old pod still counts). */
export function countEndpoints(slices: readonly V1EndpointSlice[], targetPods: ReadonlySet<string>): Count {
  const count: Count = { target: 0, other: 0, ready: 0 };
  for (const endpoint of endpointStates(slices)) {
    if (endpoint.pod && targetPods.has(endpoint.pod)) {
      count.target++;
      if (endpoint.ready) count.ready++;
    } else count.other++;
  }
  return count;
}

export async function waitForEndpoints(kube: Kube, options: ConvergeOptions): Promise<Converged> {
  const connection = kube.connection;
  const src = sources(connection, options.namespace);
  const changes = new ChangeLog(options.log);
  try {
    const { value } = await waitUntil<{ slices: V1EndpointSlice; pods: V1Pod }, Converged>(connection, {
      sources: { slices: src.endpointSlices(options.service), pods: src.pods(selectorText(options.selector)) },
      signal: options.signal,
      check: ({ slices, pods }) => {
        const targetPods = new Set(pods.map((p) => p.metadata?.name ?? ''));
        const count = countEndpoints(slices, targetPods);
        const ms = performance.now() - options.since;
        changes.report(
          'endpoints',
          `${formatDuration(ms)}: ${count.target} target endpoints (${count.ready} ready), ${count.other} others`,
        );
        return count.other === 0 && count.ready > 0 ? { ms, endpoints: count.ready } : undefined;
      },
    });
    return value;
  } catch (error) {
    // A signal that fired before the wait began (a cancel just as the selector write landed) is
    // thrown by waitUntil as the bare reason: the switch stands all the same, and must be said.
    const stop = error instanceof WaitInterrupted ? error.reason : options.signal.aborted ? abortReason(options.signal) : undefined;
    if (stop) {
      throw new ExpeditorError(
        `the switch of Service ${options.service} was applied, but its endpoints were not only the target's pods yet when the wait stopped: ${stop.message}`,
        {
          cause: stop,
          unchanged: 'the selector switch stands',
          next: `look at Service ${options.service}'s EndpointSlices (kubectl get endpointslices -l kubernetes.io/service-name=${options.service}); roll back with action rollback if needed`,
        },
      );
    }
    throw error;
  }
}
