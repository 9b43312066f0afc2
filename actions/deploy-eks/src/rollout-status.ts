// Where a blue/green Rollout stands after deploy-eks wrote it, from what the watches hold: the
// Rollout (its status as the Argo Rollouts controller writes it), its ReplicaSets and their pods.
// deploy-eks is done when the new ReplicaSet is ready and the Rollout is paused for promotion
// (Argo adds the BlueGreenPause condition only once the preview ReplicaSet is available and any
// pre-promotion analysis passed); with auto-promotion, or on a first revision (Argo makes the
// first ReplicaSet active without a pause), when the Rollout is Healthy on the new ReplicaSet.
import type { V1EndpointSlice, V1Pod, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node';
import { endpointStates, failureOf, isPodReady, type Failure } from '@expeditor/bluegreen/readiness';
import type { RolloutObject } from './rollout-manifest.ts';
import { podHashLabel, type AnalysisRunStatus, type RolloutStatus } from '@expeditor/bluegreen/argo-rollout';

export type LiveRollout = RolloutObject & { status?: RolloutStatus };

export type RolloutOutcome = 'waiting' | 'paused' | 'healthy' | 'failed';

export interface RolloutState {
  outcome: RolloutOutcome;
  /** One line for the log, written when it changes. */
  line: string;
  phase: string;
  /** The pod-template hash of the ReplicaSet this revision runs on, and of the one serving now. */
  newHash: string | undefined;
  stableHash: string | undefined;
  desired: number;
  available: number;
  failure: Failure | undefined;
}

export interface RolloutObserved {
  /** Listed after deploy-eks's write, so its generation is at least the one written. */
  rollout: LiveRollout | undefined;
  replicaSets: readonly V1ReplicaSet[];
  pods: readonly V1Pod[];
  /** The images of the template deploy-eks wrote: a status about an earlier template does not count. */
  images: readonly string[];
  /** The preview Service's EndpointSlices (when the Rollout has one): it must list the new pods before anyone tests them there. */
  previewSlices: readonly V1EndpointSlice[];
}

/** Every image of a pod template, init containers first. */
export function templateImages(template: V1PodTemplateSpec | undefined): string[] {
  return [...(template?.spec?.initContainers ?? []), ...(template?.spec?.containers ?? [])].map((c) => c.image ?? '');
}

/** Whether the preview Service lists exactly the new ReplicaSet's ready pods, and how many. */
function previewEndpoints(slices: readonly V1EndpointSlice[], newPods: readonly V1Pod[]): { exact: boolean; ready: number } {
  const ready = new Set(newPods.filter(isPodReady).map((p) => p.metadata?.name ?? ''));
  const listed = endpointStates(slices).filter((e) => e.ready);
  const exact = listed.length === ready.size && ready.size > 0 && listed.every((e) => e.pod !== undefined && ready.has(e.pod));
  return { exact, ready: listed.length };
}

const analysisText = (label: string, run: AnalysisRunStatus | undefined): string =>
  run?.name ? `, ${label} analysis ${run.name} ${run.status ?? 'Pending'}${run.message ? ` (${run.message})` : ''}` : '';

/** The Rollout's state toward "paused for promotion" (or Healthy with auto-promotion), in one line. */
export function rolloutState(observed: RolloutObserved): RolloutState {
  const r = observed.rollout;
  const name = r?.metadata?.name ?? 'Rollout';
  const base = { newHash: undefined, stableHash: undefined, desired: 0, available: 0, failure: undefined, phase: '' };
  if (!r) return { ...base, outcome: 'waiting', line: 'the Rollout is not there yet' };
  const status = r.status ?? {};
  const generation = r.metadata?.generation ?? 0;
  const phase = status.phase ?? 'Progressing';
  const newHash = status.currentPodHash;
  const stableHash = status.stableRS;
  const newRs = observed.replicaSets.find((rs) => rs.metadata?.labels?.[podHashLabel] === newHash);
  const blueGreen = r.spec.strategy?.blueGreen;
  const paused = (status.pauseConditions ?? []).some((c) => c.reason === 'BlueGreenPause');
  // While paused before promotion the preview runs previewReplicaCount pods, when set.
  const desired =
    paused || (newHash !== stableHash && blueGreen?.previewReplicaCount !== undefined)
      ? (blueGreen?.previewReplicaCount ?? r.spec.replicas ?? 1)
      : (r.spec.replicas ?? 1);
  const available = newRs?.status?.availableReplicas ?? 0;
  const state = { ...base, phase, newHash, stableHash, desired, available };
  const rsText = newRs ? `ReplicaSet ${newRs.metadata?.name} ${available}/${desired} available` : 'no ReplicaSet for it yet';
  const analyses =
    analysisText('pre-promotion', status.blueGreen?.prePromotionAnalysisRunStatus) +
    analysisText('post-promotion', status.blueGreen?.postPromotionAnalysisRunStatus);

  if (String(generation) !== (status.observedGeneration ?? '')) {
    return {
      ...state,
      outcome: 'waiting',
      line: `${name}: waiting for the Argo Rollouts controller to take generation ${generation} (it has seen ${status.observedGeneration ?? 'none'})`,
    };
  }
  const invalid = status.conditions?.find((c) => c.type === 'InvalidSpec' && c.status === 'True');
  const failed = (message: string): RolloutState => ({
    ...state,
    outcome: 'failed',
    failure: { kind: 'ReplicaFailure', pod: undefined, container: undefined, message: `Rollout ${name} ${phase}: ${message}${analyses}` },
    line: `${name}: ${phase}${status.abort ? ', aborted' : ''} (${message})${analyses}`,
  });
  // An invalid spec gets no ReplicaSet at all: it fails before the template check below.
  if (invalid) return failed(`InvalidSpec: ${invalid.message ?? ''}`);
  // The controller can report the new generation before it has made the ReplicaSet of the new
  // template; until then currentPodHash, its ReplicaSet and an abort describe an earlier revision.
  if (!newRs || templateImages(newRs.spec?.template).join(',') !== observed.images.join(',')) {
    return { ...state, outcome: 'waiting', line: `${name}: ${phase}, waiting for the ReplicaSet of the new template` };
  }
  if (status.abort || phase === 'Degraded') return failed(status.message ?? (status.abort ? 'aborted' : 'degraded'));
  const newPods = newRs ? observed.pods.filter((p) => p.metadata?.ownerReferences?.some((o) => o.uid === newRs.metadata?.uid)) : [];
  const podFailure = failureOf({ status: {} }, newPods);
  if (podFailure) {
    return { ...state, outcome: 'failed', failure: podFailure, line: `${name}: ${rsText}; pod ${podFailure.pod}: ${podFailure.kind}` };
  }
  if (phase === 'Healthy' && newHash !== undefined && newHash === stableHash && status.blueGreen?.activeSelector === newHash) {
    return { ...state, outcome: 'healthy', line: `${name}: Healthy, active on ReplicaSet ${newRs?.metadata?.name ?? newHash} (${rsText})` };
  }
  const preview = previewEndpoints(observed.previewSlices, newPods);
  const previewReady = !blueGreen?.previewService || (status.blueGreen?.previewSelector === newHash && preview.exact);
  if (paused && available >= desired && previewReady) {
    return {
      ...state,
      outcome: 'paused',
      line: `${name}: Paused for promotion, preview ${rsText}, active still on ${stableHash ?? 'none'}${analyses}`,
    };
  }
  const previewText = blueGreen?.previewService && available >= desired ? `, preview Service ${preview.ready} ready endpoints` : '';
  return {
    ...state,
    outcome: 'waiting',
    line: `${name}: ${phase}${status.message ? ` (${status.message})` : ''}, ${rsText}${previewText}${analyses}`,
  };
}
