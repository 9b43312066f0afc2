// The way back when a switch's analysis did not pass: the deployment goes through the rollback
// path (rollback.ts) — stopped with rollback while it is held at Ready or in its termination wait
// (CodeDeploy reroutes traffic to blue, which still runs, and removes green's task set), or
// undone by a new deployment of blue's task definition when it already Succeeded — and the error
// the run fails with says why and where traffic is.
import { cleanupMs } from '@expeditor/aws/pacing';
import type { CallContext } from '@expeditor/aws/call';
import type { EcsClients } from '@expeditor/codedeploy/clients';
import { readView } from '@expeditor/codedeploy/follow';
import { withDeadline } from '@expeditor/shared/deadline';
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import { rollBack } from './rollback.ts';
import type { EcsSwitchOptions, EcsSwitchResult, SwitchContext } from './switch-types.ts';
import { short } from './task-definitions.ts';

export interface AnalysisRollback {
  id: string;
  /** Blue's and green's task definitions. */
  from: string | undefined;
  to: string | undefined;
  options: EcsSwitchOptions;
  clients: EcsClients;
  context: SwitchContext;
  call: CallContext;
}

/** What the run says after the rollback `result` (pure: no network). */
export function analysisFailure(
  why: string,
  moment: 'pre' | 'step' | 'post',
  s: Pick<AnalysisRollback, 'id' | 'from' | 'to'>,
  result: EcsSwitchResult,
) {
  const blue = `blue (${short(result.to ?? s.from)})`;
  const back = moment === 'pre' ? `no production traffic moved: ${blue} serves all of it` : `${blue} serves all traffic again`;
  // Before the reroute nothing had moved: a stop is the whole way back. After it, traffic must be back on blue.
  const done = result.switched || (moment === 'pre' && result.status === 'Stopped');
  return new ExpeditorError(`${why}; ${result.words}`, {
    unchanged: done ? `${back}; green (${short(s.to)}) was removed` : `CodeDeploy is still rolling back (${result.words})`,
    next: `look at green (${short(s.to)}): the evaluations in the step summary, its tasks and logs; fix it, deploy again with deploy-ecs (wait-until: ready) and switch`,
  });
}

/** Rolls the deployment back after `why` and returns the error the run fails with. Never throws. */
export async function undoneAfterAnalysis(why: string, moment: 'pre' | 'step' | 'post', s: AnalysisRollback): Promise<ExpeditorError> {
  // A cancel or the deadline may have stopped the window: the way back gets its own time.
  const signal = s.context.signal?.aborted ? withDeadline(undefined, cleanupMs.afterDeadline) : s.context.signal;
  const context: SwitchContext = { ...s.context, signal };
  const call: CallContext = { ...s.call, signal };
  s.context.log.info(`${why}: rolling deployment ${s.id} back to blue`);
  try {
    const view = await readView(s.clients.codedeploy, s.id, call);
    if (!view.deployment) throw new ExpeditorError(`CodeDeploy returned nothing for deployment ${s.id}`);
    const deployment = view.deployment;
    const result = await s.context.log.group(`Rolling deployment ${s.id} back to blue`, () =>
      rollBack(deployment, { ...s.options, action: 'rollback' }, s.clients, context, call),
    );
    return analysisFailure(why, moment, s, result);
  } catch (error) {
    return new ExpeditorError(`${why}; rolling deployment ${s.id} back failed: ${describeError(error)}`, {
      cause: error,
      unchanged:
        moment === 'pre'
          ? `no production traffic moved to green (${short(s.to)}), but the deployment may still be held`
          : `green (${short(s.to)}) may still serve ${moment === 'step' ? 'part of the traffic' : 'traffic'}`,
      next: `roll back with bluegreen-switch action rollback (deployment-id ${s.id}) or stop the deployment with rollback in the CodeDeploy console`,
    });
  }
}
