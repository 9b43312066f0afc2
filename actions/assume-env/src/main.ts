import * as core from '@expeditor/shared/workflow-commands';
import { runAction } from '@expeditor/shared/run';
import { actionInputs, runnerEnv } from '@expeditor/shared/inputs';
import { readGitHubContext } from '@expeditor/shared/context';
import { readAssumeEnvInputs, unsetCredentialVariables } from './inputs.ts';
import { assumeEnv } from './action.ts';
import { stsFactory } from './sts-client.ts';

await runAction('assume-env', async (run) => {
  const inputs = readAssumeEnvInputs(actionInputs());
  run.setDeadline(inputs.timeoutMs);
  const env = runnerEnv();
  const { outputs, credentialOutputs } = await assumeEnv(inputs, {
    context: readGitHubContext(env),
    log: run.log,
    signal: run.signal,
    // The SDK finds the endpoint (AWS_ENDPOINT_URL) and ambient credentials itself.
    sts: stsFactory(),
    variables: { exportVariable: core.exportVariable },
    runnerTemp: env.RUNNER_TEMP || undefined,
    unsetCredentials: inputs.unsetCurrentCredentials ? () => unsetCredentialVariables() : undefined,
  });
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
  // Masked by assumeEnv before it returned.
  for (const [name, value] of Object.entries(credentialOutputs ?? {})) core.setOutput(name, value);
});
