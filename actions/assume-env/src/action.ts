// assume-env's edge: the plan (no network), the roles, and the step summary, written here only:
// on success, and on a refusal the summary can explain (a refused token, another account).
import { cancelledLeaving } from '@expeditor/shared/cancel-write';
import { assumeRoles, RefusedError, type AssumeEnvDeps, type AssumeEnvResult } from './assume.ts';
import type { AssumeEnvInputs } from './inputs.ts';
import { planAssume } from './plan.ts';
import { assumeSummary, refusedSummary } from './summary.ts';

export type { AssumeEnvDeps, AssumeEnvOutputs, AssumeEnvResult, VariableSink } from './assume.ts';

/** What a cancelled or timed-out assume-env leaves, at whichever phase it stopped. */
export const NOTHING_EXPORTED =
  'nothing was exported: GITHUB_ENV and the step outputs were not written (a session STS already issued is not passed on; it expires by itself)';

export async function assumeEnv(inputs: AssumeEnvInputs, deps: AssumeEnvDeps): Promise<AssumeEnvResult> {
  const plan = await planAssume(inputs, deps.context);
  try {
    // Nothing is exported before the credentials are verified, and then all at once (no await
    // between): a cancel or the deadline at any phase leaves the job's environment as it was.
    const result = await assumeRoles(plan, deps).catch(cancelledLeaving(NOTHING_EXPORTED));
    assumeSummary(result, deps.context).write(deps.context.stepSummaryPath);
    return result;
  } catch (error) {
    if (error instanceof RefusedError) refusedSummary(plan, error.message, error.explanation).write(deps.context.stepSummaryPath);
    throw error;
  }
}
