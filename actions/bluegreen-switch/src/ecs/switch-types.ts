// What the ECS switch is asked to do, what it runs with, and what it answers.
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
}

export interface SwitchContext {
  log: Log;
  signal?: AbortSignal | undefined;
  timing?: PollTiming | undefined;
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
