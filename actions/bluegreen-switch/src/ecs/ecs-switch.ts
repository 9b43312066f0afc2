// The ECS side of bluegreen-switch, on CodeDeploy blue/green deployments: finds the deployment
// (find-deployment.ts) and hands it to the action asked for —
// - switch (switch.ts): continue a deployment held at Ready, with green fully running;
// - rollback (rollback.ts): stop one in progress, or redeploy what ran before one that Succeeded;
// - cleanup (cleanup.ts): terminate blue when it waits for its termination.
// Nothing changes when the deployment is not in the state the action needs.
import type { CallContext } from '@expeditor/aws/call';
import type { EcsClients } from '@expeditor/codedeploy/clients';
import { cleanUp } from './cleanup.ts';
import { findDeployment } from './find-deployment.ts';
import { rollBack } from './rollback.ts';
import { switchTraffic } from './switch.ts';
import type { EcsSwitchOptions, EcsSwitchResult, SwitchContext } from './switch-types.ts';

export type { EcsSwitchOptions, EcsSwitchResult, SwitchContext };

export async function switchEcs(options: EcsSwitchOptions, clients: EcsClients, context: SwitchContext): Promise<EcsSwitchResult> {
  const call: CallContext = { signal: context.signal, log: context.log, unchanged: 'nothing was changed' };
  const deployment = await findDeployment(options, clients, call);
  const id = deployment.deploymentId ?? '';
  context.log.info(`deployment ${id} of ${deployment.applicationName}/${deployment.deploymentGroupName}: ${deployment.status}`);
  if (options.action === 'switch') return switchTraffic(id, options, clients, context, call);
  if (options.action === 'rollback') return rollBack(deployment, options, clients, context, call);
  return cleanUp(id, clients, context, call);
}
