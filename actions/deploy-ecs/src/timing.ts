// How often deploy-ecs and bluegreen-switch read ECS and CodeDeploy while they wait. Short after
// a change, growing while nothing changes, never longer than 5 s: the end of a deployment is
// noticed within about 5 s, and a quiet wait costs at most 12 describe calls a minute.
import type { PollOptions } from '@expeditor/shared/poll';

export type PollTiming = Pick<PollOptions<unknown>, 'minIntervalMs' | 'maxIntervalMs' | 'factor'>;

export const defaultTiming: Required<PollTiming> = { minIntervalMs: 2000, maxIntervalMs: 5000, factor: 1.5 };

/** How long cleanup after a deadline or cancellation (StopDeployment, a rollback) may take. */
export const cleanupMs = { afterDeadline: 120_000, afterCancel: 8_000 };
