// cleanup: a deployment whose blue waits to be terminated is told to terminate it now; any other
// deployment is left as it is.
import type { CallContext } from '@expeditor/aws/call';
import { codeDeployConsoleUrl } from '@expeditor/aws/clients';
import { appSpecTaskDefinition } from '@expeditor/codedeploy/appspec';
import type { EcsClients } from '@expeditor/codedeploy/clients';
import { continueDeployment, readView, whereItWas, type CodeDeployView } from '@expeditor/codedeploy/follow';
import { followToSucceeded } from './follow-to-succeeded.ts';
import type { EcsSwitchResult, SwitchContext } from './switch-types.ts';
import { short } from './task-definitions.ts';

/** Why there is nothing to clean up, in a sentence; undefined when blue waits to be terminated. */
export function nothingToCleanUp(id: string, view: CodeDeployView): string | undefined {
  if (view.trafficShifted) return undefined;
  return view.deployment?.status === 'Succeeded'
    ? `deployment ${id} Succeeded: CodeDeploy already terminated the original (blue) task set, nothing to clean up`
    : `deployment ${id} is ${whereItWas(view)}: blue still has a role, nothing cleaned up`;
}

export async function cleanUp(id: string, clients: EcsClients, context: SwitchContext, call: CallContext): Promise<EcsSwitchResult> {
  const { log } = context;
  const view = await readView(clients.codedeploy, id, call);
  const consoleUrl = codeDeployConsoleUrl(clients.region, id);
  const green = appSpecTaskDefinition(view.deployment?.revision?.appSpecContent?.content ?? '');
  const result = {
    action: 'cleanup',
    deploymentId: id,
    newDeploymentId: undefined,
    from: undefined,
    to: green,
    switched: false,
    convergenceMs: undefined,
    consoleUrl,
  } as const;
  const nothing = nothingToCleanUp(id, view);
  if (nothing) {
    log.info(nothing);
    return { ...result, status: view.deployment?.status ?? '?', words: nothing };
  }
  await continueDeployment(clients.codedeploy, id, 'TERMINATION_WAIT', call);
  log.info(`deployment ${id}: ended the termination wait; the original (blue) task set is being terminated`);
  const followed = await followToSucceeded(id, clients, context, { atReady: 'wait' });
  return {
    ...result,
    status: followed.status,
    words: `deployment ${id} ${followed.status}: blue terminated, green (${short(green)}) serves all traffic`,
  };
}
