import { runAction } from '@expeditor/shared/run';
import { actionInputs } from '@expeditor/shared/inputs';
import { ExpeditorError } from '@expeditor/shared/errors';
import { readDeployEksInputs } from './inputs.ts';

await runAction('deploy-eks', async (run) => {
  const options = readDeployEksInputs(actionInputs());
  run.setDeadline(options.timeoutMs);
  throw new ExpeditorError('deploy-eks is not built yet (issue #6)', { unchanged: 'nothing was changed; the inputs were valid' });
});
