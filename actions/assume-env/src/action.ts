// assume-env's edge: the plan (no network), the roles, and the step summary, written here only:
// on success, and on a refusal the summary can explain (a refused token, another account).
import { assumeRoles, RefusedError, type AssumeEnvDeps, type AssumeEnvResult } from './assume.ts';
import type { AssumeEnvInputs } from './inputs.ts';
import { planAssume } from './plan.ts';
import { assumeSummary, refusedSummary } from './summary.ts';

export type { AssumeEnvDeps, AssumeEnvOutputs, AssumeEnvResult, VariableSink } from './assume.ts';

export async function assumeEnv(inputs: AssumeEnvInputs, deps: AssumeEnvDeps): Promise<AssumeEnvResult> {
  const plan = await planAssume(inputs, deps.context);
  try {
    const result = await assumeRoles(plan, deps);
    assumeSummary(result, deps.context).write(deps.context.stepSummaryPath);
    return result;
  } catch (error) {
    if (error instanceof RefusedError) refusedSummary(plan, error.message, error.explanation).write(deps.context.stepSummaryPath);
    throw error;
  }
}
