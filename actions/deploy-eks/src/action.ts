// deploy-eks as one call for main.ts: plan (no network), connect (EKS or kubeconfig), deploy,
// step summary. Heavy modules (client-node, the EKS client) load only once the inputs are good.
import type { GitHubContext } from '@expeditor/shared/context';
import type { Log } from '@expeditor/shared/log';
import type { KubeRunnerContext } from './context.ts';
import type { DeployEksResult } from './deploy.ts';
import type { DeployEksInputs } from './inputs.ts';
import { planDeployEks, type DeployEksPlan } from './plan.ts';
import { deploySummary } from './summary.ts';

export interface DeployEksRun {
  log: Log;
  signal: AbortSignal;
}

export async function runDeployEks(inputs: DeployEksInputs, github: GitHubContext, runner: KubeRunnerContext, run: DeployEksRun): Promise<DeployEksResult & { plan: DeployEksPlan }> {
  const started = Date.now();
  const plan = planDeployEks(inputs, { workspace: github.workspace, sha: github.sha, runUrl: github.runUrl, runner });
  const where = plan.connect.kind === 'eks' ? `EKS ${plan.connect.cluster}` : 'kubeconfig';
  try {
    const [{ deployEks }, { connect }] = await Promise.all([import('./deploy.ts'), import('./connect.ts')]);
    const connection = await connect(plan, run);
    const result = await deployEks(plan, connection.kube, { log: run.log, signal: run.signal });
    connection.close();
    deploySummary(plan, where, { result }, Date.now() - started).write(github.stepSummaryPath);
    return { ...result, plan };
  } catch (error) {
    deploySummary(plan, where, { error }, Date.now() - started).write(github.stepSummaryPath);
    throw error;
  }
}
