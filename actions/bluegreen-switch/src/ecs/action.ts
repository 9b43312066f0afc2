// The ECS switch as one call for main.ts: plan (no network), clients, switch, step summary.
import type { GitHubContext } from '@expeditor/shared/context';
import type { Log } from '@expeditor/shared/log';
import type { EcsSwitchInputs } from './inputs.ts';
import type { EcsSwitchResult } from './ecs-switch.ts';
import { planEcsSwitch, type EcsPlanCommon } from './plan.ts';
import { switchSummary } from './summary.ts';

export async function runEcsSwitch(
  common: EcsPlanCommon & { timeoutMs: number },
  inputs: EcsSwitchInputs,
  github: GitHubContext,
  run: { log: Log; signal: AbortSignal },
): Promise<EcsSwitchResult> {
  const started = Date.now();
  const plan = planEcsSwitch(common, inputs, { workspace: github.workspace });
  // The SDK modules load only now that the inputs are known to be good.
  const [{ switchEcs }, { createEcsClients }] = await Promise.all([import('./ecs-switch.ts'), import('@expeditor/codedeploy/clients')]);
  const clients = await createEcsClients(plan.region);
  try {
    const result = await switchEcs(
      {
        action: plan.action,
        deploymentId: plan.deploymentId,
        group: plan.group,
        previousTaskDefinition: plan.previousTaskDefinition,
        timeoutMs: common.timeoutMs,
      },
      clients,
      { log: run.log, signal: run.signal },
    );
    switchSummary(plan, { result }, Date.now() - started).write(github.stepSummaryPath);
    return result;
  } catch (error) {
    switchSummary(plan, { error }, Date.now() - started).write(github.stepSummaryPath);
    throw error;
  } finally {
    clients.destroy();
  }
}
