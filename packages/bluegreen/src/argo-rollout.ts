// The part of Argo Rollouts' contract both deploy-eks (which writes a blue/green Rollout and waits
// until it is paused for promotion) and bluegreen-switch (which promotes or aborts it) read: the
// API version, the pod-template-hash label and the status fields the controller writes.

export const rolloutApiVersion = 'argoproj.io/v1alpha1';

/** The label Argo puts on a Rollout's ReplicaSets and pods, and in the selectors of its Services. */
export const podHashLabel = 'rollouts-pod-template-hash';

/** A pre- or post-promotion AnalysisRun as the Rollout's status names it. */
export interface AnalysisRunStatus {
  name?: string;
  status?: string;
  message?: string;
}

/** The part of a Rollout's status these actions read (argoproj.io/v1alpha1 RolloutStatus). */
export interface RolloutStatus {
  observedGeneration?: string;
  phase?: string;
  message?: string;
  currentPodHash?: string;
  stableRS?: string;
  abort?: boolean;
  controllerPause?: boolean;
  pauseConditions?: { reason?: string; startTime?: string }[] | null;
  blueGreen?: {
    activeSelector?: string;
    previewSelector?: string;
    prePromotionAnalysisRunStatus?: AnalysisRunStatus;
    postPromotionAnalysisRunStatus?: AnalysisRunStatus;
  };
  conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
}
