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
  how: Pick<FollowOptions, 'atReady' | 'justCreated' | 'known' | 'onView'> & {
    /** Step checks: their signal (the run's and theirs), and theirs alone, whose abort the caller handles. */
    steps?: { signal: AbortSignal; failed: AbortSignal } | undefined;
  },
): ReturnType<typeof followOrStop> {
  const { steps, ...follow } = how;
  return followOrStop({
    codedeploy: clients.codedeploy,
    deploymentId,
    ...follow,
    until: 'succeeded',
    log: context.log,
    signal: steps?.signal ?? context.signal,
    callerAbort: steps?.failed,
    timing: context.timing,
    describeWait: 'Succeeded',
  });
}
