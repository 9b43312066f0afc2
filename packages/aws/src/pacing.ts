// How often deploy-ecs and bluegreen-switch read ECS and CodeDeploy while they wait. While the end
// is near (every new task runs and only ECS's final check is left; the traffic events of a
// CodeDeploy deployment), every 2 s after a change, growing to 3 s. Before that (tasks starting,
// old ones draining, green being installed), every 6 s growing to 8 s. Over all of it, a call
// budget counts every describe call: 12 a minute on average from the start of the wait and in any
// 60 s. The far stretch keeps a call in hand and polls slower than that, so the near end can poll
// faster than one call per 5 s for a while: the end is noticed within 5 s.
import { CallBudget, type CallBudgetOptions } from './call-budget.ts';
import type { PollOptions } from '@expeditor/shared/poll';

export type PollTiming = Pick<PollOptions<unknown>, 'minIntervalMs' | 'maxIntervalMs' | 'factor' | 'far'> & {
  /** Without it (tests' fast timing) calls are not counted. */
  budget?: CallBudgetOptions;
};

export const defaultTiming: PollTiming = {
  minIntervalMs: 2000,
  maxIntervalMs: 3000,
  factor: 1.5,
  far: { minIntervalMs: 6000, maxIntervalMs: 8000 },
  budget: { perMinute: 12, burst: 4, keepWhileFar: 1 },
};

/** One wait's pacing: the poll bounds, and a fresh call budget (none with tests' fast timing). */
export function pacing(timing: PollTiming = defaultTiming): { poll: Omit<PollTiming, 'budget'>; budget: CallBudget | undefined } {
  const { budget, ...poll } = timing;
  return { poll, budget: budget ? new CallBudget(budget) : undefined };
}

/** How long cleanup after a deadline or cancellation (StopDeployment, a rollback) may take. */
export const cleanupMs = { afterDeadline: 120_000, afterCancel: 8_000 };
