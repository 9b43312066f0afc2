// Is a color ready to take traffic? One predicate over what the API returned, in the shape of
// kubectl's rollout Status(): deploy-eks's wait, the switch's guard and the switch's convergence
// check all decide with it, so deploy-eks never reports ready a color the switch then refuses.
//
// Ready means: the Deployment exists, is not being deleted, paused or scaled to zero; its
// controller has acted on the latest spec (and on our write); every replica runs the current
// template and is available, with no old replica left; every live pod it owns is Ready; the
// pods carry the labels the Service will select by; and a Service that already points at the
// color lists exactly those pods as ready endpoints. A failure is what waiting will not cure.
import type { V1Deployment, V1Endpoint, V1EndpointSlice, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import type { Color } from './names.ts';

export type FailureKind =
  | 'ProgressDeadlineExceeded'
  | 'ImagePullBackOff'
  | 'ErrImagePull'
  | 'InvalidImageName'
  | 'CrashLoopBackOff'
  | 'CreateContainerConfigError'
  | 'CreateContainerError'
  | 'Unschedulable'
  | 'ReplicaFailure'
  | 'Paused'
  | 'ScaledToZero'
  | 'Deleting';

const failingWaitingReasons = new Set<string>([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

export interface Failure {
  kind: FailureKind;
  /** The pod that shows it, when one does. */
  pod: string | undefined;
  container: string | undefined;
  message: string;
}

export interface ColorObjects {
  /** The color (or, for a rolling update, the Deployment) the lines speak of. */
  color: Color | string;
  /** The color's Deployment name, for messages when it does not exist. */
  deploymentName: string;
  deployment: V1Deployment | undefined;
  /** The color's ReplicaSets: only pods of the current revision's count as the color's. */
  replicaSets: readonly V1ReplicaSet[];
  /** The pods of the color (those the Service will select). */
  pods: readonly V1Pod[];
  /** The labels the Service will select by: the pod template must carry them. */
  selector?: Record<string, string> | undefined;
  /**
   * Services already pointing at the color (deploy-eks's preview, and on the Ingress route the
   * color's own Service the Ingress will send to): the ready endpoints of each must be exactly the
   * color's ready pods. Each Service's EndpointSlices are updated on their own, so one being
   * current says nothing about another.
   */
  endpoints?: ServiceEndpoints | readonly ServiceEndpoints[] | undefined;
  /** The generation our own write returned: status from before it (the old image's) must not count. */
  writtenGeneration?: number | undefined;
}

export interface ServiceEndpoints {
  service: string;
  slices: readonly V1EndpointSlice[];
  /** For the log line, e.g. `preview`. */
  label?: string;
}

export interface ColorStatus {
  ready: boolean;
  /** One line for the log, e.g. `green: 2/3 available`; print it when it changes. */
  line: string;
  /** Set when waiting will not help. */
  failure: Failure | undefined;
  /** Everything that is not ready, one line each (empty when ready). */
  problems: string[];
  desired: number;
  updated: number;
  available: number;
  /** Replicas or pods of older revisions still there. */
  old: number;
  /** The controller has acted on the latest spec. */
  observed: boolean;
  /** Ready pods of the current revision, sorted. */
  readyPods: string[];
  /** Pods the (first) Service lists as ready endpoints, sorted. */
  readyEndpoints: string[];
}

/** A pod is Ready when its Ready condition is True and it is not being deleted. */
export function isPodReady(pod: V1Pod): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Terminating and finished pods are never endpoints: they neither help nor block. */
export function isPodLive(pod: V1Pod): boolean {
  return !pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

export interface EndpointState {
  /** The pod behind the endpoint; undefined for an endpoint that is not a pod. */
  pod: string | undefined;
  /** Takes new connections: `ready` unset counts as ready (the API's rule), a terminating one never does. */
  ready: boolean;
  terminating: boolean;
}

export function endpointState(endpoint: V1Endpoint): EndpointState {
  const terminating = endpoint.conditions?.terminating === true;
  return {
    pod: endpoint.targetRef?.kind === 'Pod' ? endpoint.targetRef.name : undefined,
    ready: endpoint.conditions?.ready !== false && !terminating,
    terminating,
  };
}

/** Every endpoint of a Service's EndpointSlices. */
export function endpointStates(slices: readonly V1EndpointSlice[]): EndpointState[] {
  return slices.flatMap((slice) => (slice.endpoints ?? []).map(endpointState));
}

/** The ReplicaSet of the Deployment's current revision, if the controller made it yet. */
export function newReplicaSet(deployment: V1Deployment, replicaSets: readonly V1ReplicaSet[]): V1ReplicaSet | undefined {
  const uid = deployment.metadata?.uid;
  const revision = deployment.metadata?.annotations?.['deployment.kubernetes.io/revision'];
  if (!uid || !revision) return undefined;
  return replicaSets.find(
    (rs) =>
      rs.metadata?.ownerReferences?.some((o) => o.uid === uid) &&
      rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === revision,
  );
}

/** Labels of `selector` that `labels` lacks or has with another value, as `key=value`. */
export function missingLabels(selector: Record<string, string>, labels: Record<string, string> | undefined): string[] {
  return Object.entries(selector)
    .filter(([k, v]) => labels?.[k] !== v)
    .map(([k, v]) => `${k}=${v}`);
}

export function selectorText(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The one readiness predicate: see the top of this file. */
export function colorStatus(objects: ColorObjects): ColorStatus {
  const { color } = objects;
  const d = objects.deployment;
  const status: ColorStatus = {
    ready: false,
    line: `${color}: waiting for the deployment controller`,
    failure: undefined,
    problems: [],
    desired: 0,
    updated: 0,
    available: 0,
    old: 0,
    observed: false,
    readyPods: [],
    readyEndpoints: [],
  };
  const problems = status.problems;
  if (!d) {
    problems.push(`Deployment ${objects.deploymentName} does not exist`);
    status.line = `${color}: waiting for Deployment ${objects.deploymentName}`;
    return status;
  }
  const name = d.metadata?.name ?? objects.deploymentName;
  const ds = d.status ?? {};
  const desired = d.spec?.replicas ?? 1;
  status.desired = desired;
  const generation = Math.max(d.metadata?.generation ?? 0, objects.writtenGeneration ?? 0);
  status.observed = (ds.observedGeneration ?? 0) >= generation;

  const stop = (failure: Failure, problem: string): ColorStatus => {
    status.failure = failure;
    problems.push(problem);
    status.line = `${color}: ${failure.kind}${failure.pod ? ` (pod ${failure.pod})` : ''}`;
    return status;
  };
  if (d.metadata?.deletionTimestamp) {
    return stop(
      { kind: 'Deleting', pod: undefined, container: undefined, message: `Deployment ${name} is being deleted` },
      `Deployment ${name} is being deleted`,
    );
  }
  if (desired === 0) {
    // A color with no pods can never take traffic, however long one waits.
    const message = `Deployment ${name} is scaled to zero replicas`;
    return stop({ kind: 'ScaledToZero', pod: undefined, container: undefined, message }, message);
  }
  if (d.spec?.paused) {
    const message = `Deployment ${name} is paused (kubectl rollout resume deployment/${name})`;
    return stop({ kind: 'Paused', pod: undefined, container: undefined, message }, message);
  }
  if (!status.observed) {
    problems.push(`Deployment ${name}: the deployment controller has not yet acted on its latest spec`);
    return status;
  }

  status.updated = ds.updatedReplicas ?? 0;
  status.available = ds.availableReplicas ?? 0;
  const rs = newReplicaSet(d, objects.replicaSets);
  const ownedByNew = (p: V1Pod): boolean =>
    rs !== undefined && (p.metadata?.ownerReferences?.some((o) => o.uid === rs.metadata?.uid) ?? false);
  const live = objects.pods.filter(isPodLive);
  const newPods = objects.pods.filter(ownedByNew);
  const oldPods = live.filter((p) => !ownedByNew(p));
  status.old = Math.max((ds.replicas ?? 0) - status.updated, oldPods.length);
  status.readyPods = newPods
    .filter(isPodReady)
    .map((p) => p.metadata?.name ?? '')
    .sort();

  const failure = failureOf(d, newPods);
  if (failure) stop(failure, failureProblem(name, failure));

  if (status.updated < desired) problems.push(`Deployment ${name}: ${status.updated} of ${desired} replicas run the latest template`);
  if (status.available < desired) problems.push(`Deployment ${name}: ${status.available} of ${desired} replicas available`);
  const availableCondition = ds.conditions?.find((c) => c.type === 'Available');
  if (availableCondition?.status === 'False' && status.available >= desired) {
    problems.push(`Deployment ${name} is not Available${availableCondition.message ? ` (${availableCondition.message})` : ''}`);
  }
  if (status.old > 0) problems.push(`${status.old} ${status.old === 1 ? 'pod' : 'pods'} of an older revision still there`);
  if (!rs && live.length > 0) problems.push(`Deployment ${name}: its current ReplicaSet is not there yet`);
  const notReady = live.filter((p) => !isPodReady(p));
  for (const pod of notReady.slice(0, 5)) problems.push(`pod ${pod.metadata?.name ?? '?'} is not Ready: ${podNotReadyReason(pod)}`);
  if (notReady.length > 5) problems.push(`… and ${notReady.length - 5} more pods are not Ready`);
  if (live.length === 0)
    problems.push(`no pod of ${color} is running${objects.selector ? ` (none matches ${selectorText(objects.selector)})` : ''}`);
  else if (status.readyPods.length < desired && notReady.length === 0) {
    problems.push(`${status.readyPods.length} of ${desired} pods of the current revision are Ready`);
  }
  if (objects.selector) {
    const missing = missingLabels(objects.selector, d.spec?.template.metadata?.labels);
    if (missing.length > 0) {
      problems.push(
        `the pods of Deployment ${name} lack the label${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, so the Service would not select them`,
      );
    }
  }

  const services: readonly ServiceEndpoints[] =
    objects.endpoints === undefined ? [] : 'service' in objects.endpoints ? [objects.endpoints] : objects.endpoints;
  // The first Service that does not yet list exactly the color's ready pods, for the log line.
  let behind: { label: string; listed: number } | undefined;
  for (const [i, { service, slices }] of services.entries()) {
    const states = endpointStates(slices);
    const readyEndpoints = states.filter((e) => e.ready);
    const names = readyEndpoints.map((e) => e.pod ?? '(not a pod)').sort();
    if (i === 0) status.readyEndpoints = names;
    const listed = new Set(readyEndpoints.flatMap((e) => (e.pod ? [e.pod] : [])));
    const missing = status.readyPods.filter((p) => !listed.has(p));
    const foreign = [...listed].filter((p) => !status.readyPods.includes(p)).sort();
    const notPods = readyEndpoints.length - listed.size;
    if (readyEndpoints.length === 0) problems.push(`Service ${service} has no ready endpoints`);
    else if (missing.length > 0) problems.push(`Service ${service} does not list ${list(missing)} as ready endpoints yet`);
    if (foreign.length > 0) {
      problems.push(`Service ${service} lists ${list(foreign)}, which ${foreign.length > 1 ? 'are' : 'is'} not a ready pod of ${color}`);
    }
    if (notPods > 0)
      problems.push(
        `Service ${service} lists ${notPods} ready ${notPods === 1 ? 'endpoint' : 'endpoints'} that ${notPods === 1 ? 'is' : 'are'} not a pod`,
      );
    const matches = missing.length === 0 && foreign.length === 0 && notPods === 0 && readyEndpoints.length > 0;
    if (!matches && !behind) {
      behind = { label: services[i]?.label ?? `Service ${service}`, listed: names.filter((e) => status.readyPods.includes(e)).length };
    }
  }

  status.ready = problems.length === 0;
  if (status.failure) return status;
  let line = `${color}: ${status.available}/${desired} available`;
  if (status.old > 0 && status.available >= desired) line += `, ${status.old} old ${status.old === 1 ? 'pod' : 'pods'} terminating`;
  else if (status.available >= desired && behind) line += `, ${behind.label} endpoints ${behind.listed}/${desired}`;
  else if (status.ready && services.length > 0)
    line += `, ${services.map((e) => e.label ?? `Service ${e.service}`).join(' and ')} endpoints ready`;
  status.line = line;
  return status;
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
    return {
      kind: 'ProgressDeadlineExceeded',
      pod: stuck?.metadata?.name,
      container: undefined,
      message: progressing.message ?? 'progress deadline exceeded',
    };
  }
  const replicaFailure = conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (replicaFailure) {
    return {
      kind: 'ReplicaFailure',
      pod: undefined,
      container: undefined,
      message: `${replicaFailure.reason ?? 'ReplicaFailure'}: ${replicaFailure.message ?? ''}`.trim(),
    };
  }
  return undefined;
}

function failureProblem(deployment: string, failure: Failure): string {
  if (failure.kind === 'ProgressDeadlineExceeded')
    return `Deployment ${deployment} exceeded its progress deadline (${firstLine(failure.message)})`;
  if (failure.kind === 'ReplicaFailure') return `Deployment ${deployment} cannot create pods: ${firstLine(failure.message)}`;
  const where = failure.pod
    ? `pod ${failure.pod}${failure.container ? ` container ${failure.container}` : ''}`
    : `Deployment ${deployment}`;
  return `${where}: ${failure.kind}: ${firstLine(failure.message)}`;
}

/** Why a pod is not Ready, in the kubelet's words where it gave some. */
export function podNotReadyReason(pod: V1Pod): string {
  if (pod.metadata?.deletionTimestamp) return 'terminating';
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const s of statuses) {
    const waiting = s.state?.waiting;
    if (waiting?.reason) {
      const restarts = s.restartCount ? `, ${s.restartCount} restarts` : '';
      return `container ${s.name} ${waiting.reason}${restarts}${waiting.message ? `: ${firstLine(waiting.message)}` : ''}`;
    }
    const terminated = s.state?.terminated;
    if (terminated) return `container ${s.name} terminated (${terminated.reason ?? `exit ${terminated.exitCode}`})`;
  }
  for (const s of statuses) {
    if (!s.ready) return `container ${s.name} is running but not ready${s.restartCount ? ` (${s.restartCount} restarts)` : ''}`;
  }
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    return `not scheduled: ${scheduled.reason ?? ''}${scheduled.message ? ` (${firstLine(scheduled.message)})` : ''}`;
  }
  return `phase ${pod.status?.phase ?? 'unknown'}, not Ready`;
}

function list(names: readonly string[]): string {
  const shown = names.slice(0, 4).join(', ');
  return names.length > 4 ? `${shown} and ${names.length - 4} more` : shown;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
