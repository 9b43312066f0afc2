import * as core from '@expeditor/shared/workflow-commands';
import { runAction } from '@expeditor/shared/run';
import { actionInputs, runnerEnv } from '@expeditor/shared/inputs';
import { readGitHubContext } from '@expeditor/shared/context';
import { readAssumeEnvInputs } from './inputs.ts';
import { assumeEnv } from './action.ts';
import { stsFactory } from './sts-client.ts';

await runAction('assume-env', async (run) => {
  const inputs = readAssumeEnvInputs(actionInputs());
  run.setDeadline(inputs.timeoutMs);
  const { outputs } = await assumeEnv(inputs, {
    context: readGitHubContext(runnerEnv()),
    log: run.log,
    signal: run.signal,
    // The SDK finds the endpoint (AWS_ENDPOINT_URL) and ambient credentials itself.
    sts: stsFactory(),
    variables: { exportVariable: core.exportVariable },
  });
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
});
