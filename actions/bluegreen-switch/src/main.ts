import * as core from '@expeditor/shared/workflow-commands';
import { runAction } from '@expeditor/shared/run';
import { actionInputs, runnerEnv } from '@expeditor/shared/inputs';
import { readGitHubContext } from '@expeditor/shared/context';
import { readSwitchInputs, resolvePlatform } from './inputs.ts';
import { readEcsSwitchInputs } from './ecs/inputs.ts';
import { readEksSwitchInputs } from './eks/inputs.ts';

await runAction('bluegreen-switch', async (run) => {
  const options = readSwitchInputs(actionInputs());
  run.setDeadline(options.timeoutMs);
  const github = readGitHubContext(runnerEnv());
  if ((await resolvePlatform(options, github.workspace)) === 'eks') {
    const eksInputs = readEksSwitchInputs(actionInputs(), runnerEnv());
    // validate-only: the switch's plan, no client, no request, no output (validate.ts).
    if (options.validateOnly) return void (await import('./validate.ts')).validateEksSwitch(options, eksInputs, github, run);
    // client-node and the AWS SDK load after the inputs are valid, so a bad input fails fast.
    const { runEksSwitch } = await import('./eks/action.ts');
    const result = await runEksSwitch(options, eksInputs, github, run);
    core.setOutput('from', result.from);
    core.setOutput('to', result.to);
    core.setOutput('switched', String(result.switched));
    core.setOutput('convergence-ms', result.convergenceMs !== undefined ? String(Math.round(result.convergenceMs)) : '');
    return;
  }
  const ecsInputs = readEcsSwitchInputs(actionInputs());
  if (options.validateOnly) return void (await import('./validate.ts')).validateEcsSwitch(options, ecsInputs, github, run);
  // Loaded after the inputs are valid, so a bad input fails fast.
  const { runEcsSwitch } = await import('./ecs/action.ts');
  const result = await runEcsSwitch(options, ecsInputs, github, run);
  core.setOutput('from', result.from ?? '');
  core.setOutput('to', result.to ?? '');
  core.setOutput('switched', String(result.switched));
  core.setOutput('convergence-ms', result.convergenceMs !== undefined ? String(Math.round(result.convergenceMs)) : '');
  core.setOutput('deployment-id', result.newDeploymentId ?? result.deploymentId);
  core.setOutput('status', result.status);
});
