import * as core from '@expeditor/shared/workflow-commands';
import { runAction } from '@expeditor/shared/run';
import { actionInputs, runnerEnv } from '@expeditor/shared/inputs';
import { readGitHubContext } from '@expeditor/shared/context';
import { readDeployEcsInputs } from './inputs.ts';

await runAction('deploy-ecs', async (run) => {
  const inputs = readDeployEcsInputs(actionInputs());
  run.setDeadline(inputs.timeoutMs);
  // Loaded after the inputs are valid, so a bad input fails fast.
  const { runDeployEcsStep } = await import('./step.ts');
  const result = await runDeployEcsStep(inputs, readGitHubContext(runnerEnv()), run);
  // validate-only: planned and checked, nothing deployed, so no output.
  if ('validated' in result) return;
  core.setOutput('task-definition-arn', result.taskDefinitionArn);
  core.setOutput('previous-task-definition-arn', result.previousTaskDefinitionArn ?? '');
  core.setOutput('previous-image', result.previousImage ?? '');
  core.setOutput('deployment-id', result.deploymentId);
  core.setOutput('status', result.status);
  core.setOutput('console-url', result.consoleUrl);
  core.setOutput('run-task-arn', result.runTask?.taskArns.join(',') ?? '');
});
