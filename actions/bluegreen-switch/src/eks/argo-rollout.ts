// bluegreen-switch on an Argo Rollouts blue/green Rollout, the decisions without the network:
// what `switch` (promote) and `rollback` (abort) would write, or why they refuse, from the Rollout
// as read; and, while waiting, whether the controller has done it. The patches are the ones
// `kubectl argo rollouts promote` and `abort` send (pkg/kubectl-argo-rollouts/cmd in the argo-rollouts
// module): promote clears status.pauseConditions (and unpauses spec.paused when a person paused
// it), abort sets status.abort — both through the status subresource.
import { ExpeditorError } from '@expeditor/shared/errors';
import type { AnalysisRunStatus, RolloutStatus } from '@expeditor/bluegreen/argo-rollout';

/** A Rollout as read: only what the switch looks at (argoproj.io/v1alpha1). */
export interface SwitchRollout {
  metadata?: { name?: string; namespace?: string; uid?: string; generation?: number; resourceVersion?: string };
  spec?: {
    paused?: boolean;
    selector?: { matchLabels?: Record<string, string> };
    strategy?: { blueGreen?: { activeService?: string; previewService?: string }; canary?: unknown };
  };
  status?: RolloutStatus;
}

/** What a switch or rollback of a Rollout will do. */
export type RolloutDecision =
  | {
      kind: 'patch';
      /** Merge patch of the status subresource (carrying the resourceVersion read, so a change in between is a conflict). */
      status: Record<string, unknown> | undefined;
      /** Merge patch of the Rollout itself (spec.paused), when needed. */
      spec: Record<string, unknown> | undefined;
      /** Pod-template hashes: the ReplicaSet serving now and the one that will. */
      from: string;
      to: string;
      activeService: string;
    }
  | { kind: 'nothing'; from: string; to: string; note: string };

const refused = (message: string, next: string): ExpeditorError =>
  new ExpeditorError(message, { input: 'rollout', unchanged: 'nothing was changed', next });

/** The checks both actions make: a blue/green Rollout whose latest spec the controller has seen. */
function checkedBlueGreen(r: SwitchRollout): { name: string; activeService: string } {
  const name = r.metadata?.name ?? '';
  if (r.spec?.strategy?.canary !== undefined) {
    throw refused(
      `Rollout ${name} has spec.strategy.canary: bluegreen-switch promotes and aborts blue/green Rollouts only`,
      'use kubectl argo rollouts promote for canary steps',
    );
  }
  const activeService = r.spec?.strategy?.blueGreen?.activeService;
  if (!activeService) {
    throw refused(`Rollout ${name} has no spec.strategy.blueGreen.activeService`, 'deploy it with deploy-eks, which checks the strategy');
  }
  const generation = String(r.metadata?.generation ?? '');
  if (r.status?.observedGeneration !== generation) {
    throw refused(
      `the Argo Rollouts controller has not yet seen generation ${generation} of Rollout ${name} (it has seen ${r.status?.observedGeneration ?? 'none'}): is the controller running?`,
      'run again once the Rollout shows its new status (kubectl argo rollouts get rollout)',
    );
  }
  return { name, activeService };
}

/** `switch`: promote a Rollout paused for promotion; refuses one that is not, changing nothing. */
export function promotionDecision(r: SwitchRollout): RolloutDecision {
  const { name, activeService } = checkedBlueGreen(r);
  const status = r.status ?? {};
  const current = status.currentPodHash ?? '';
  const stable = status.stableRS ?? '';
  if (status.abort) {
    throw refused(
      `Rollout ${name} is aborted (${status.message ?? 'phase Degraded'}): its active Service is back on ${stable}`,
      'deploy again with deploy-eks (or kubectl argo rollouts retry rollout) before promoting',
    );
  }
  if (current && current === stable) {
    return {
      kind: 'nothing',
      from: stable,
      to: stable,
      note: `Rollout ${name} is already promoted: ReplicaSet ${stable} is stable and active; nothing to switch`,
    };
  }
  const paused = (status.pauseConditions ?? []).length > 0 || r.spec?.paused === true;
  // Its pause cleared but the controller not there yet: another promote just landed.
  if (!paused && status.controllerPause) {
    return {
      kind: 'nothing',
      from: status.blueGreen?.activeSelector ?? stable,
      to: current,
      note: `Rollout ${name} is being promoted already (its pause was cleared, the controller is taking it); nothing to switch`,
    };
  }
  if (!paused) {
    throw refused(
      `Rollout ${name} is not paused for promotion (phase ${status.phase ?? 'unknown'}${status.message ? `: ${status.message}` : ''}): the preview ReplicaSet ${current || '(none yet)'} is not ready to take traffic`,
      'wait until deploy-eks reports the Rollout ready to promote, then switch',
    );
  }
  return {
    kind: 'patch',
    status: (status.pauseConditions ?? []).length > 0 ? { pauseConditions: null } : undefined,
    spec: r.spec?.paused ? { paused: false } : undefined,
    from: status.blueGreen?.activeSelector ?? stable,
    to: current,
    activeService,
  };
}

/** `rollback`: abort an update in progress, so the active Service goes (or stays) on the stable ReplicaSet. */
export function abortDecision(r: SwitchRollout): RolloutDecision {
  const { name, activeService } = checkedBlueGreen(r);
  const status = r.status ?? {};
  const stable = status.stableRS ?? '';
  const active = status.blueGreen?.activeSelector ?? stable;
  if (status.abort && active === stable) {
    return { kind: 'nothing', from: active, to: stable, note: `Rollout ${name} is already aborted: active on stable ReplicaSet ${stable}` };
  }
  if (!status.currentPodHash || status.currentPodHash === stable) {
    throw refused(
      `Rollout ${name} has no update in progress: ReplicaSet ${stable || '(none)'} is stable and active, so there is nothing to abort`,
      'to go back to an earlier image, run deploy-eks with it and switch again',
    );
  }
  return { kind: 'patch', status: { abort: true }, spec: undefined, from: active, to: stable, activeService };
}

export interface RolloutProgress {
  done: boolean;
  /** Set when the Rollout ended somewhere else: aborted or degraded, or paused on an inconclusive analysis. */
  failure: string | undefined;
  /** The failure leaves traffic where it is (an inconclusive analysis pauses; an abort moves it back). */
  held?: boolean;
  line: string;
}

const analysisText = (label: string, run: AnalysisRunStatus | undefined): string =>
  run?.name ? `; ${label} AnalysisRun ${run.name} ${run.status ?? 'Pending'}${run.message ? ` (${run.message})` : ''}` : '';

/** After a promote: done when the Rollout is Healthy with the promoted ReplicaSet stable and active. */
export function promotionProgress(r: SwitchRollout | undefined, target: string): RolloutProgress {
  if (!r) return { done: false, failure: 'the Rollout was deleted', line: 'Rollout deleted' };
  const s = r.status ?? {};
  const name = r.metadata?.name ?? '';
  const analyses =
    analysisText('pre-promotion', s.blueGreen?.prePromotionAnalysisRunStatus) +
    analysisText('post-promotion', s.blueGreen?.postPromotionAnalysisRunStatus);
  const line = `Rollout ${name}: ${s.phase ?? 'Progressing'}${s.message ? ` (${s.message})` : ''}, active ${s.blueGreen?.activeSelector ?? 'none'}, stable ${s.stableRS ?? 'none'}${analyses}`;
  if (s.abort || s.phase === 'Degraded') {
    // The AnalysisRun that decided is named by the caller, from the run itself.
    return { done: false, failure: `Rollout ${name} ${s.abort ? 'was aborted' : 'is Degraded'}: ${s.message ?? s.phase}`, line };
  }
  // Argo pauses instead of aborting when an analysis is inconclusive: a person decides.
  if ((s.pauseConditions ?? []).some((c) => c.reason === 'InconclusiveAnalysisRun')) {
    return {
      done: false,
      held: true,
      failure: `Rollout ${name} is paused: an AnalysisRun was inconclusive${analyses}; the active Service is on ${s.blueGreen?.activeSelector ?? 'none'}`,
      line,
    };
  }
  const settled =
    String(r.metadata?.generation ?? '') === s.observedGeneration && !(s.controllerPause && !(s.pauseConditions ?? []).length);
  const done = settled && s.phase === 'Healthy' && s.stableRS === target && s.blueGreen?.activeSelector === target;
  return { done, failure: undefined, line };
}

/** After an abort: done when the controller took it and the active Service is on the stable ReplicaSet. */
export function abortProgress(r: SwitchRollout | undefined, stable: string): RolloutProgress {
  if (!r) return { done: false, failure: 'the Rollout was deleted', line: 'Rollout deleted' };
  const s = r.status ?? {};
  const name = r.metadata?.name ?? '';
  const line = `Rollout ${name}: ${s.phase ?? 'Progressing'}${s.message ? ` (${s.message})` : ''}, active ${s.blueGreen?.activeSelector ?? 'none'}, stable ${s.stableRS ?? 'none'}`;
  const done = s.abort === true && s.phase === 'Degraded' && s.stableRS === stable && s.blueGreen?.activeSelector === stable;
  return { done, failure: undefined, line };
}
