// Where a target color stands, from what the watches hold: rolled out (the checks `kubectl rollout
// status` makes), every new pod Ready, the preview Service's EndpointSlices listing exactly those
// pods as ready, or failed in a way that will not heal by waiting (reported at once).
import type { V1Deployment, V1EndpointSlice, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import type { Color } from '@expeditor/bluegreen/names';

export type FailureKind =
  | 'ProgressDeadlineExceeded'
  | 'ImagePullBackOff'
  | 'ErrImagePull'
  | 'InvalidImageName'
  | 'CrashLoopBackOff'
  | 'CreateContainerConfigError'
  | 'CreateContainerError'
  | 'Unschedulable'
  | 'ReplicaFailure';

const failingWaitingReasons = new Set<string>([
  'ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'CrashLoopBackOff', 'CreateContainerConfigError', 'CreateContainerError',
]);

export interface Failure {
  kind: FailureKind;
  /** The pod that shows it, when one does. */
  pod: string | undefined;
  container: string | undefined;
  message: string;
}

export interface Observed {
  deployment: V1Deployment | undefined;
  replicaSets: readonly V1ReplicaSet[];
  pods: readonly V1Pod[];
  slices: readonly V1EndpointSlice[];
}

export interface Progress {
  desired: number;
  updated: number;
  available: number;
  /** Pods of older ReplicaSets still there. */
  old: number;
  /** Ready pods of the new ReplicaSet. */
  readyPods: string[];
  /** Pods the preview Service lists as ready endpoints. */
  readyEndpoints: string[];
  /** The controller has acted on the spec we wrote. */
  observed: boolean;
  done: boolean;
  failure: Failure | undefined;
  /** One line for the log, e.g. `green: 2/3 available`; printed when it changes. */
  line: string;
}

export function isPodReady(pod: V1Pod): boolean {
  return !pod.metadata?.deletionTimestamp && (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);
}

/** The ReplicaSet of the Deployment's current revision, if the controller made it yet. */
export function newReplicaSet(deployment: V1Deployment, replicaSets: readonly V1ReplicaSet[]): V1ReplicaSet | undefined {
  const uid = deployment.metadata?.uid;
  const revision = deployment.metadata?.annotations?.['deployment.kubernetes.io/revision'];
  if (!uid || !revision) return undefined;
  return replicaSets.find(
    (rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === uid) && rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === revision,
  );
}

/**
 * `writtenGeneration` is the generation our write returned: status from before it (an idle
 * Deployment that was fully available with the old image) must not count.
 */
export function assess(observed: Observed, color: Color, writtenGeneration: number): Progress {
  const d = observed.deployment;
  const empty: Progress = {
    desired: 0, updated: 0, available: 0, old: 0, readyPods: [], readyEndpoints: [], observed: false, done: false, failure: undefined,
    line: `${color}: waiting for the deployment controller`,
  };
  if (!d) return empty;
  const desired = d.spec?.replicas ?? 1;
  const status = d.status ?? {};
  const generation = Math.max(d.metadata?.generation ?? 0, writtenGeneration);
  const isObserved = (status.observedGeneration ?? 0) >= generation;
  const updated = isObserved ? (status.updatedReplicas ?? 0) : 0;
  const available = isObserved ? (status.availableReplicas ?? 0) : 0;
  const rs = isObserved ? newReplicaSet(d, observed.replicaSets) : undefined;
  const newPods = rs ? observed.pods.filter((p) => p.metadata?.ownerReferences?.some((o) => o.uid === rs.metadata?.uid)) : [];
  const readyPods = newPods.filter(isPodReady).map((p) => p.metadata?.name ?? '').sort();
  const oldPods = observed.pods.filter((p) => !newPods.includes(p) && !p.status?.phase?.match(/^(Succeeded|Failed)$/));
  const old = isObserved ? Math.max((status.replicas ?? 0) - updated, oldPods.length) : 0;
  const endpoints = readyEndpointsOf(observed.slices);
  const readyEndpoints = [...endpoints].sort();
  const failure = isObserved ? failureOf(d, newPods) : undefined;
  const endpointsMatch = sameSet(readyEndpoints, readyPods);
  const done =
    isObserved && !failure && updated === desired && available === desired && (status.replicas ?? 0) === desired && old === 0 &&
    readyPods.length === desired && endpointsMatch;
  let line = `${color}: ${available}/${desired} available`;
  if (!isObserved) line = `${color}: waiting for the deployment controller`;
  else if (failure) line = `${color}: ${failure.kind}${failure.pod ? ` (pod ${failure.pod})` : ''}`;
  else if (old > 0 && available === desired) line += `, ${old} old ${old === 1 ? 'pod' : 'pods'} terminating`;
  else if (available === desired && !endpointsMatch) line += `, preview endpoints ${readyEndpoints.filter((e) => readyPods.includes(e)).length}/${desired}`;
  else if (done) line += ', preview endpoints ready';
  return { desired, updated, available, old, readyPods, readyEndpoints, observed: isObserved, done, failure, line };
}

/** Pods (by name) the Service's EndpointSlices list as ready. */
function readyEndpointsOf(slices: readonly V1EndpointSlice[]): Set<string> {
  const ready = new Set<string>();
  for (const slice of slices) {
    for (const endpoint of slice.endpoints ?? []) {
      if (endpoint.conditions?.ready === true) ready.add(endpoint.targetRef?.name ?? endpoint.addresses.join(','));
    }
  }
  return ready;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** A failure that waiting will not cure, from the Deployment's conditions or a new pod's state. */
export function failureOf(deployment: V1Deployment, newPods: readonly V1Pod[]): Failure | undefined {
  for (const pod of newPods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const s of statuses) {
      const reason = s.state?.waiting?.reason;
      if (reason && failingWaitingReasons.has(reason)) {
        return { kind: reason as FailureKind, pod: pod.metadata?.name, container: s.name, message: s.state?.waiting?.message ?? reason };
      }
    }
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
      return { kind: 'Unschedulable', pod: pod.metadata?.name, container: undefined, message: scheduled.message ?? 'no node fits the pod' };
    }
  }
  const conditions = deployment.status?.conditions ?? [];
  const progressing = conditions.find((c) => c.type === 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    const stuck = newPods.find((p) => !isPodReady(p));
    return { kind: 'ProgressDeadlineExceeded', pod: stuck?.metadata?.name, container: undefined, message: progressing.message ?? 'progress deadline exceeded' };
  }
  const replicaFailure = conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (replicaFailure) {
    return { kind: 'ReplicaFailure', pod: undefined, container: undefined, message: `${replicaFailure.reason ?? 'ReplicaFailure'}: ${replicaFailure.message ?? ''}`.trim() };
  }
  return undefined;
}
