import { runAction } from '@expeditor/shared/run';
import { actionInputs } from '@expeditor/shared/inputs';
import { ExpeditorError } from '@expeditor/shared/errors';
import { readSwitchInputs } from './inputs.ts';

await runAction('bluegreen-switch', async (run) => {
  const options = readSwitchInputs(actionInputs());
  run.setDeadline(options.timeoutMs);
  throw new ExpeditorError('bluegreen-switch is not built yet (issue #7)', { unchanged: 'nothing was changed; the inputs were valid' });
});
