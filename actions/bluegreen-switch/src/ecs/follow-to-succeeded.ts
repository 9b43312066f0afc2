// Every step of the ECS switch follows its deployment to Succeeded the same way (stopping it with
// rollback on the deadline or a cancellation).
import type { EcsClients } from '@expeditor/codedeploy/clients';
import type { FollowOptions } from '@expeditor/codedeploy/follow';
import { followOrStop } from '@expeditor/codedeploy/stop';
import type { SwitchContext } from './switch-types.ts';

export function followToSucceeded(
  deploymentId: string,
  clients: EcsClients,
  context: SwitchContext,
  how: Pick<FollowOptions, 'atReady' | 'justCreated' | 'known'>,
): ReturnType<typeof followOrStop> {
  return followOrStop({
    codedeploy: clients.codedeploy,
    deploymentId,
    ...how,
    until: 'succeeded',
    log: context.log,
    signal: context.signal,
    timing: context.timing,
    describeWait: 'Succeeded',
  });
}
