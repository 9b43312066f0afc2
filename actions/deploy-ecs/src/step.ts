// main.ts's one call: with validate-only, the deploy's plan and the local checks, then stop
// (validate.ts: no client, no request); else the deploy (action.ts).
import type { GitHubContext } from '@expeditor/shared/context';
import type { Log } from '@expeditor/shared/log';
import type { DeployEcsResult } from './deploy.ts';
import type { DeployEcsInputs } from './inputs.ts';
import { runDeployEcs } from './action.ts';
import { planDeployEcs } from './plan.ts';
import { validateDeployEcs, type DeployEcsValidated } from './validate.ts';

export async function runDeployEcsStep(
  inputs: DeployEcsInputs,
  github: GitHubContext,
  run: { log: Log; signal: AbortSignal },
): Promise<DeployEcsResult | DeployEcsValidated> {
  if (!inputs.validateOnly) return runDeployEcs(inputs, github, run);
  const context = { workspace: github.workspace, runnerTemp: github.runnerTemp, sha: github.sha, runUrl: github.runUrl };
  return validateDeployEcs(await planDeployEcs(inputs, context), run, github.stepSummaryPath);
}
