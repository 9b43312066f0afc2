// deploy-ecs as one call for main.ts: plan (no network), clients, deploy, step summary.
import type { GitHubContext } from '@expeditor/shared/context';
import type { Log } from '@expeditor/shared/log';
import { InputError } from '@expeditor/shared/errors';
import { runnerEnv } from '@expeditor/shared/inputs';
import { describeServicesRead, speculate, usePrefetched } from '@expeditor/aws/speculative';
import type { DeployEcsInputs } from './inputs.ts';
import type { DeployEcsResult } from './deploy.ts';
import { planDeployEcs } from './plan.ts';
import { deploySummary } from './summary.ts';

export async function runDeployEcs(
  inputs: DeployEcsInputs,
  github: GitHubContext,
  run: { log: Log; signal: AbortSignal },
): Promise<DeployEcsResult> {
  // readDeployEcsInputs leaves the image out only with validate-only, which never comes here.
  if (!inputs.image) throw new InputError('image', 'is required to deploy (only validate-only goes without one)');
  const started = Date.now();
  const plan = await planDeployEcs(inputs, {
    workspace: github.workspace,
    runnerTemp: github.runnerTemp,
    sha: github.sha,
    runUrl: github.runUrl,
  });
  // The first call, DescribeServices (a read), leaves now; the SDK loads once it is written, while
  // AWS answers. The ECS client takes that answer when its own request is the same one, else sends
  // as usual (speculative.ts).
  const speculation = plan.service
    ? speculate(describeServicesRead(plan.cluster, plan.service), { region: plan.region, env: runnerEnv(), signal: run.signal })
    : undefined;
  await speculation?.written;
  // The SDK modules load only now that the inputs and files are known to be good.
  const [{ deployEcs }, { createEcsClients }] = await Promise.all([import('./deploy.ts'), import('@expeditor/codedeploy/clients')]);
  const clients = await createEcsClients(plan.region, { cloudwatch: plan.alarms !== undefined });
  usePrefetched(clients.ecs, speculation);
  try {
    const result = await deployEcs(plan, clients, { log: run.log, signal: run.signal });
    deploySummary(plan, { result }, Date.now() - started).write(github.stepSummaryPath);
    return result;
  } catch (error) {
    deploySummary(plan, { error }, Date.now() - started).write(github.stepSummaryPath);
    throw error;
  } finally {
    clients.destroy();
  }
}
