// Whether the run's deadline leaves room for the analysis windows (count × interval at each
// moment), decided the same way by the switch (with the time left) and by validate-only (with the
// whole timeout: a plan refused then is refused by every run).
import { type CheckPlan, type Moment, windowOf } from '@expeditor/analysis/plan';
import { formatDuration } from '@expeditor/shared/deadline';
import { ExpeditorError } from '@expeditor/shared/errors';

/** EKS: the least time the windows take — pre, each canary step's pause and window (with more than one step), post. */
export function eksWindowsMs(windowMs: (moment: Moment) => number, canary: { steps: number; stepPauseMs: number }): number {
  const steps = canary.steps > 1 ? canary.steps * (windowMs('step') + canary.stepPauseMs) : 0;
  return windowMs('pre') + steps + windowMs('post');
}

/** Why `leftMs` is too little for `neededMs`, or undefined. */
export function windowsProblem(neededMs: number, leftMs: number): string | undefined {
  if (neededMs <= leftMs) return undefined;
  return `the analysis needs at least ${formatDuration(neededMs)} (its windows: count × interval at each moment), but the run's timeout leaves ${formatDuration(Math.max(0, leftMs))}`;
}

export function windowsError(problem: string, unchanged: string): ExpeditorError {
  return new ExpeditorError(problem, {
    input: 'timeout',
    unchanged,
    next: "raise the 'timeout' input, or give the checks a smaller count or interval",
  });
}

/** The windows of planned checks, for validate-only (no Analysis, so no client). */
export const plannedWindows =
  (plans: readonly CheckPlan[]) =>
  (moment: Moment): number =>
    windowOf(plans, moment);
