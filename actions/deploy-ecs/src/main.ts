import { runAction } from '@expeditor/shared/run';
import { actionInputs } from '@expeditor/shared/inputs';
import { ExpeditorError } from '@expeditor/shared/errors';
import { readDeployEcsInputs } from './inputs.ts';

await runAction('deploy-ecs', async (run) => {
  const options = readDeployEcsInputs(actionInputs());
  run.setDeadline(options.timeoutMs);
  throw new ExpeditorError('deploy-ecs is not built yet (issue #8)', { unchanged: 'nothing was changed; the inputs were valid' });
});
