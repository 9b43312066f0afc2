// Is a color ready to take traffic? Pure rules over what the API returned: the Deployment is
// rolled out and fully available (the checks `kubectl rollout status` makes), every pod the
// Service would select is Ready, and the Service that already points at the color (the preview
// Service, or the color's own Service on the Ingress route) lists exactly those pods as ready.
import type { V1Deployment, V1EndpointSlice, V1Pod } from '@kubernetes/client-node';

export interface ColorReadiness {
  ready: boolean;
  /** What is not ready, one line each, for the refusal. */
  problems: string[];
  /** Names of the Ready pods the Service will select. */
  readyPods: string[];
}

/** What keeps a Deployment from being fully rolled out and available; empty when it is. */
export function deploymentProblems(deployment: V1Deployment): string[] {
  const name = deployment.metadata?.name ?? '?';
  const spec = deployment.spec;
  const status = deployment.status ?? {};
  const want = spec?.replicas ?? 1;
  const problems: string[] = [];
  if (deployment.metadata?.deletionTimestamp) problems.push(`Deployment ${name} is being deleted`);
  if (want === 0) {
    problems.push(`Deployment ${name} is scaled to zero replicas`);
    return problems;
  }
  if (spec?.paused) problems.push(`Deployment ${name} is paused`);
  if ((status.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 0)) {
    problems.push(`Deployment ${name}: the deployment controller has not yet acted on its latest spec`);
    return problems;
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    problems.push(`Deployment ${name} exceeded its progress deadline${progressing.message ? ` (${progressing.message})` : ''}`);
  }
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < want) problems.push(`Deployment ${name}: ${updated} of ${want} replicas run the latest template`);
  else if (total > updated) problems.push(`Deployment ${name}: ${total - updated} old replicas are still terminating`);
  if (available < want) problems.push(`Deployment ${name}: ${available} of ${want} replicas available`);
  const availableCondition = status.conditions?.find((c) => c.type === 'Available');
  if (availableCondition?.status === 'False' && available >= want) {
    problems.push(`Deployment ${name} is not Available${availableCondition.message ? ` (${availableCondition.message})` : ''}`);
  }
  return problems;
}

/** Labels of `selector` that `labels` lacks or has with another value, as `key=value`. */
export function missingLabels(selector: Record<string, string>, labels: Record<string, string> | undefined): string[] {
  return Object.entries(selector)
    .filter(([k, v]) => labels?.[k] !== v)
    .map(([k, v]) => `${k}=${v}`);
}

export function isPodReady(pod: V1Pod): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
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
  if (scheduled?.status === 'False') return `not scheduled: ${scheduled.reason ?? ''}${scheduled.message ? ` (${firstLine(scheduled.message)})` : ''}`;
  return `phase ${pod.status?.phase ?? 'unknown'}, not Ready`;
}

/** Pods named by the endpoints of a Service's EndpointSlices, split by the ready condition. */
export function slicePods(slices: readonly V1EndpointSlice[]): { ready: Set<string>; notReady: Set<string>; other: number } {
  const ready = new Set<string>();
  const notReady = new Set<string>();
  let other = 0;
  for (const slice of slices) {
    for (const endpoint of slice.endpoints ?? []) {
      const name = endpoint.targetRef?.kind === 'Pod' ? endpoint.targetRef.name : undefined;
      if (!name) {
        other++;
        continue;
      }
      // `ready` unset means ready (the API's rule); terminating endpoints are never ready.
      if (endpoint.conditions?.ready === false || endpoint.conditions?.terminating === true) notReady.add(name);
      else ready.add(name);
    }
  }
  for (const name of ready) notReady.delete(name);
  return { ready, notReady, other };
}

export interface ColorFacts {
  color: string;
  /** What the switched Service will select: its selector with the color replaced. */
  selector: Record<string, string>;
  deployment: V1Deployment | undefined;
  deploymentName: string;
  /** The pods matching `selector`. */
  pods: readonly V1Pod[];
  /** A Service already pointing at this color whose endpoints must be exactly its ready pods. */
  endpointsOf?: { service: string; slices: readonly V1EndpointSlice[] } | undefined;
}

/** All problems at once, so a refusal says everything that is not ready. */
export function colorReadiness(facts: ColorFacts): ColorReadiness {
  const problems: string[] = [];
  const { deployment } = facts;
  if (!deployment) {
    problems.push(`Deployment ${facts.deploymentName} does not exist`);
  } else {
    problems.push(...deploymentProblems(deployment));
    const missing = missingLabels(facts.selector, deployment.spec?.template.metadata?.labels);
    if (missing.length > 0) {
      problems.push(`the pods of Deployment ${facts.deploymentName} lack the label${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, so the Service would not select them`);
    }
  }
  // Terminating and finished pods are never endpoints; they neither help nor block.
  const live = facts.pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  const readyPods = live.filter(isPodReady).map((p) => p.metadata?.name ?? '?').sort();
  const notReady = live.filter((p) => !isPodReady(p));
  const shown = notReady.slice(0, 5);
  for (const pod of shown) problems.push(`pod ${pod.metadata?.name ?? '?'} is not Ready: ${podNotReadyReason(pod)}`);
  if (notReady.length > shown.length) problems.push(`… and ${notReady.length - shown.length} more pods are not Ready`);
  if (readyPods.length === 0 && notReady.length === 0) {
    problems.push(`no pod matches ${selectorText(facts.selector)}`);
  }
  if (facts.endpointsOf) {
    const { service, slices } = facts.endpointsOf;
    const eps = slicePods(slices);
    const missing = readyPods.filter((p) => !eps.ready.has(p));
    const foreign = [...eps.ready].filter((p) => !readyPods.includes(p));
    if (eps.ready.size === 0) problems.push(`Service ${service} has no ready endpoints`);
    else if (missing.length > 0) problems.push(`Service ${service} does not list ${list(missing)} as ready endpoints yet`);
    if (foreign.length > 0) problems.push(`Service ${service} lists ${list(foreign)}, which ${foreign.length > 1 ? 'are' : 'is'} not a ready pod of ${facts.color}`);
  }
  return { ready: problems.length === 0, problems, readyPods };
}

export function selectorText(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function list(names: readonly string[]): string {
  const shown = names.slice(0, 4).join(', ');
  return names.length > 4 ? `${shown} and ${names.length - 4} more` : shown;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
