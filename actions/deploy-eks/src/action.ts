// deploy-eks as one call for main.ts: plan (no network), connect (EKS or kubeconfig), deploy,
// step summary. Heavy modules (client-node, the EKS client) load only once the inputs are good.
import type { GitHubContext } from '@expeditor/shared/context';
import type { Log } from '@expeditor/shared/log';
import type { KubeRunnerContext } from '@expeditor/kube/runner';
import { describeConnection, openKubeConnection } from '@expeditor/kube/plan';
import type { DeployEksResult } from './deploy.ts';
import type { DeployEksInputs } from './inputs.ts';
import { planDeployEks, type DeployEksPlan } from './plan.ts';
import { deploySummary } from './summary.ts';
import { rolloutSummary } from './rollout-summary.ts';
import { resolveImages } from './resolve-images.ts';
import { validateDeployEks, type DeployEksValidated } from './validate.ts';

export interface DeployEksRun {
  log: Log;
  signal: AbortSignal;
}

export async function runDeployEks(
  inputs: DeployEksInputs,
  github: GitHubContext,
  runner: KubeRunnerContext,
  run: DeployEksRun,
): Promise<DeployEksResult & { plan: DeployEksPlan }> {
  const started = Date.now();
  const plan = planDeployEks(inputs, { workspace: github.workspace, sha: github.sha, runUrl: github.runUrl, runner });
  const where = describeConnection(plan.connect);
  const summarize = plan.rollouts ? rolloutSummary : deploySummary;
  try {
    // Tags pinned to digests before the first request to the cluster (resolve-images.ts).
    if (inputs.resolveDigest !== false) await resolveImages(plan, run);
    const { deployEks } = await import('./deploy.ts');
    const opened = await openKubeConnection(plan.connect, run);
    try {
      const result = await deployEks(plan, opened.connection, { log: run.log, signal: run.signal });
      summarize(plan, where, { result }, Date.now() - started).write(github.stepSummaryPath);
      return { ...result, plan };
    } finally {
      opened.close();
    }
  } catch (error) {
    summarize(plan, where, { error }, Date.now() - started).write(github.stepSummaryPath);
    throw error;
  }
}

/** main.ts's one call: with validate-only, the deploy's plan, then stop (validate.ts: no client, no request, tags not resolved); else the deploy. */
export async function runDeployEksStep(
  inputs: DeployEksInputs,
  github: GitHubContext,
  runner: KubeRunnerContext,
  run: DeployEksRun,
): Promise<(DeployEksResult & { plan: DeployEksPlan }) | DeployEksValidated> {
  if (!inputs.validateOnly) return runDeployEks(inputs, github, runner, run);
  const plan = planDeployEks(inputs, { workspace: github.workspace, sha: github.sha, runUrl: github.runUrl, runner });
  return validateDeployEks(plan, describeConnection(plan.connect), run, github.stepSummaryPath);
}
