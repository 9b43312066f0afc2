import * as core from '@expeditor/shared/workflow-commands';
import { runAction } from '@expeditor/shared/run';
import { actionInputs, runnerEnv } from '@expeditor/shared/inputs';
import { readRecordInputs } from './inputs.ts';

await runAction('deployment-record', async (run) => {
  const inputs = readRecordInputs(actionInputs());
  run.setDeadline(inputs.timeoutMs);
  // Loaded after the inputs are valid, so a bad input fails fast.
  const { runRecordAction } = await import('./action.ts');
  const outputs = await runRecordAction(inputs, runnerEnv(), run);
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
});
