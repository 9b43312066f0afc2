import * as core from '@expeditor/shared/workflow-commands';
import { readGitHubContext } from '@expeditor/shared/context';
import { actionInputs, runnerEnv } from '@expeditor/shared/inputs';
import { runAction } from '@expeditor/shared/run';
import { runBuildImage } from './action.ts';
import { readBuildImageInputs } from './inputs.ts';

await runAction('build-image', async (run) => {
  const env = runnerEnv();
  const context = readGitHubContext(env);
  const inputs = readBuildImageInputs(actionInputs(), context);
  run.setDeadline(inputs.timeoutMs);
  const result = await runBuildImage(inputs, context, env, run);
  core.setOutput('image', result.image);
  core.setOutput('digest', result.digest);
  core.setOutput('tag', result.tag);
  core.setOutput('skipped', String(result.skipped));
  core.setOutput('reused-by-inputs', String(result.reusedByInputs ?? false));
  core.setOutput('inputs-tag', result.inputsTag ?? '');
});
