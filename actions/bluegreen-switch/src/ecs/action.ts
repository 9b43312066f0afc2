// The ECS switch as one call for main.ts: plan (no network), clients, switch (with its analysis),
// step summary.
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Evaluation } from '@expeditor/analysis/run';
import type { GitHubContext } from '@expeditor/shared/context';
import type { Log } from '@expeditor/shared/log';
import { runnerEnv } from '@expeditor/shared/inputs';
import { getDeploymentRead, speculate, usePrefetched } from '@expeditor/aws/speculative';
import type { EcsSwitchInputs } from './inputs.ts';
import type { EcsSwitchResult } from './ecs-switch.ts';
import { planEcsSwitch, type EcsPlanCommon } from './plan.ts';
import { switchSummary } from './summary.ts';

export async function runEcsSwitch(
  common: EcsPlanCommon & { timeoutMs: number },
  inputs: EcsSwitchInputs,
  github: GitHubContext,
  run: { log: Log; signal: AbortSignal; startedAt?: number },
): Promise<EcsSwitchResult> {
  const started = Date.now();
  const plan = planEcsSwitch(common, inputs, { workspace: github.workspace });
  // The first call, GetDeployment of the deployment named (a read), leaves now; the SDK loads once
  // it is written, and the CodeDeploy client takes its answer when its own request is the same one
  // (speculative.ts).
  const speculation = plan.deploymentId
    ? speculate(getDeploymentRead(plan.deploymentId), { region: plan.region, env: runnerEnv(), signal: run.signal })
    : undefined;
  await speculation?.written;
  // The SDK modules load only now that the inputs are known to be good.
  const [{ switchEcs }, { createEcsClients }] = await Promise.all([import('./ecs-switch.ts'), import('@expeditor/codedeploy/clients')]);
  // CloudWatch's module loads only when a check reads CloudWatch.
  const cloudwatch = plan.analysis?.some((c) => c.source.provider.startsWith('cloudwatch')) ?? false;
  const clients = await createEcsClients(plan.region, { cloudwatch });
  usePrefetched(clients.codedeploy, speculation);
  const evaluations: Evaluation[] = [];
  try {
    const result = await switchEcs(
      {
        action: plan.action,
        deploymentId: plan.deploymentId,
        group: plan.group,
        previousTaskDefinition: plan.previousTaskDefinition,
        timeoutMs: common.timeoutMs,
        analysis: plan.analysis,
      },
      clients,
      {
        log: run.log,
        signal: run.signal,
        cloudwatch: clients.cloudwatch ? () => clients.cloudwatch as CloudWatchClient : undefined,
        evaluations,
        deadlineAt: (run.startedAt ?? started) + common.timeoutMs,
      },
    );
    switchSummary(plan, { result }, Date.now() - started, evaluations).write(github.stepSummaryPath);
    return result;
  } catch (error) {
    switchSummary(plan, { error }, Date.now() - started, evaluations).write(github.stepSummaryPath);
    throw error;
  } finally {
    clients.destroy();
  }
}
