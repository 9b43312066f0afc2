// How often deploy-ecs and bluegreen-switch read ECS and CodeDeploy while they wait. While the end
// is near (every new task runs and only ECS's final check is left; the traffic events of a
// CodeDeploy deployment), every 2 s after a change, growing to 5 s: the end is noticed within 5 s.
// Before that (tasks starting, old ones draining, green being installed), every 6 s growing to 10 s.
// One describe call per poll: about 12 a minute at most, fewer in long phases.
import type { PollOptions } from '@expeditor/shared/poll';

export type PollTiming = Pick<PollOptions<unknown>, 'minIntervalMs' | 'maxIntervalMs' | 'factor' | 'far'>;

export const defaultTiming: PollTiming = {
  minIntervalMs: 2000,
  maxIntervalMs: 5000,
  factor: 1.5,
  far: { minIntervalMs: 6000, maxIntervalMs: 10_000 },
};

/** How long cleanup after a deadline or cancellation (StopDeployment, a rollback) may take. */
export const cleanupMs = { afterDeadline: 120_000, afterCancel: 8_000 };
