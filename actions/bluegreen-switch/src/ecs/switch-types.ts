// What the ECS switch is asked to do, what it runs with, and what it answers.
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CheckPlan } from '@expeditor/analysis/plan';
import type { Evaluation } from '@expeditor/analysis/run';
import type { Log } from '@expeditor/shared/log';
import type { PollTiming } from '@expeditor/aws/pacing';
import type { SwitchAction } from './plan.ts';

export interface EcsSwitchOptions {
  action: SwitchAction;
  deploymentId: string | undefined;
  /** Where to find the deployment when no id is given. */
  group: { application: string; group: string } | undefined;
  /** The task definition a rollback after success returns to; else the one deploy-ecs recorded. */
  previousTaskDefinition: string | undefined;
  /** Deadline for waiting on a stop's rollback (the run's remaining time). */
  timeoutMs: number;
  /** Checks that gate a switch: pre before the traffic reroute, post in the termination wait. */
  analysis?: readonly CheckPlan[] | undefined;
}

export interface SwitchContext {
  log: Log;
  signal?: AbortSignal | undefined;
  timing?: PollTiming | undefined;
  /** The CloudWatch client the checks share, made on first use (only checks that read CloudWatch ask). */
  cloudwatch?: (() => CloudWatchClient) | undefined;
  /** Where the analysis keeps its evaluations (the caller's, so a failed run's summary still has them). */
  evaluations?: Evaluation[] | undefined;
  /** Epoch ms at which the run's deadline ends: the analysis windows must fit before it. */
  deadlineAt?: number | undefined;
  now?: (() => number) | undefined;
}

export interface EcsSwitchResult {
  action: SwitchAction;
  /** The deployment acted on. */
  deploymentId: string;
  /** A deployment this action created or CodeDeploy started (rollback), when there is one. */
  newDeploymentId: string | undefined;
  /** Where the acted-on deployment (or the new one) ended. */
  status: string;
  /** Task definition that served before, and that serves now. */
  from: string | undefined;
  to: string | undefined;
  switched: boolean;
  /** ms from the request until only the target takes production traffic. */
  convergenceMs: number | undefined;
  consoleUrl: string;
  /** What happened, in a sentence, for the log and summary. */
  words: string;
}
