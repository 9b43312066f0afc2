import { runAction } from '@expeditor/shared/run';
import { actionInputs } from '@expeditor/shared/inputs';
import { ExpeditorError } from '@expeditor/shared/errors';
import { readBuildImageInputs } from './inputs.ts';

await runAction('build-image', async (run) => {
  const options = readBuildImageInputs(actionInputs());
  run.setDeadline(options.timeoutMs);
  throw new ExpeditorError('build-image is not built yet (issue #5)', { unchanged: 'nothing was changed; the inputs were valid' });
});
