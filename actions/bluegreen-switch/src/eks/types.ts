// The typed options and result of the EKS switch, shared by the action, tests and the bench.
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CheckPlan } from '@expeditor/analysis/plan';
import type { Evaluation } from '@expeditor/analysis/run';
import type { Log } from '@expeditor/shared/log';
import type { Color } from '@expeditor/bluegreen/names';
import type { Kube } from './kube.ts';

export type SwitchAction = 'switch' | 'rollback' | 'cleanup';
export type Route = 'service' | 'ingress';

export interface EksSwitchOptions {
  action: SwitchAction;
  route: Route;
  namespace: string;
  /** An Argo Rollouts Rollout: switch promotes it, rollback aborts it (argo-switch.ts); no colors then. */
  rollout?: string | undefined;
  /** The service: its Deployments are `<service>-<color>`, and its color Services on the Ingress route. */
  service: string;
  /** Route service: the Service whose selector is switched (`<service>` unless configured, as Argo's activeService). */
  stableService: string;
  /** The Service deploy-eks points at the target color (`<service>-preview` unless configured). */
  previewService: string;
  /** Route ingress: the Ingress to switch. */
  ingress?: string | undefined;
  /** Route ingress: `/path` or `host/path`; by default every path routing to the service's colors. */
  ingressPath?: string | undefined;
  /** Color to switch to; by default the one that is not live. */
  targetColor?: Color | undefined;
  /** Label key that carries the color (the Service selector's and the pods'). */
  colorLabel: string;
  /** Route ingress: canary weights, increasing, ending at 100; none is a plain backend switch. */
  canary?: readonly number[] | undefined;
  /** Pause after each canary step before its health check. */
  stepPauseMs: number;
  /** Probed after each canary step: a 2xx answer passes (an HTTP check at each step, besides `analysis`). */
  probeUrl?: string | undefined;
  probeTimeoutMs?: number | undefined;
  /** Checks before the switch (pre), after each canary step (step) and in a window after it (post). */
  analysis?: readonly CheckPlan[] | undefined;
  /** Cleanup: the old color must have been idle this long. */
  keepMs: number;
  /** Cleanup: also delete the preview Service. */
  removePreview: boolean;
  /** Recorded on the switched object. */
  commit: string;
  runUrl: string;
}

export interface EksSwitchDeps {
  kube: Kube;
  log: Log;
  /** The run's signal: deadline and cancellation. */
  signal: AbortSignal;
  /** When the run's deadline falls (epoch ms), so cleanup can refuse a keep period that outlasts it. */
  deadlineAt?: number | undefined;
  /** Clock, for tests of the keep period. */
  now?: (() => number) | undefined;
  /** A CloudWatch client, made on first use: only CloudWatch checks need one. */
  cloudwatch?: (() => CloudWatchClient) | undefined;
  /** Where the analysis keeps its evaluations, so the step summary has them even when the run fails. */
  evaluations?: Evaluation[] | undefined;
}

export interface CanaryStep {
  weight: number;
  /** passed, failed, or cancelled (the run was cancelled during this step). */
  outcome: 'passed' | 'failed' | 'cancelled';
  detail: string;
}

export interface EksSwitchResult {
  action: SwitchAction;
  route: Route;
  /** The color that served traffic before (for a Rollout, its ReplicaSet's pod-template hash). */
  from: Color | string;
  /** The color that serves traffic now (for a Rollout, its ReplicaSet's pod-template hash). */
  to: Color | string;
  switched: boolean;
  /** Request sent → the stable Service's endpoints are only the target's pods (route service). */
  convergenceMs: number | undefined;
  /** One sentence on what happened, for the log and the summary. */
  note: string;
  canarySteps?: CanaryStep[];
  /** Cleanup: the Deployment scaled to zero and its replicas before. */
  scaledDown?: { deployment: string; replicas: number } | undefined;
  previewRemoved?: boolean;
}
