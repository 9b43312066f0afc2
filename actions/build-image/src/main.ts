import * as core from '@actions/core';
import { readGitHubContext } from '@expeditor/shared/context';
import { actionInputs, runnerEnv } from '@expeditor/shared/inputs';
import { runAction } from '@expeditor/shared/run';
import { buildImage, configLocation } from './build-image.ts';
import { readBuildImageInputs } from './inputs.ts';

await runAction('build-image', async (run) => {
  const env = runnerEnv();
  const context = readGitHubContext(env);
  const inputs = readBuildImageInputs(actionInputs(), context);
  run.setDeadline(inputs.timeoutMs);
  const result = await buildImage({
    ...inputs,
    config: configLocation(context.workspace, inputs.config),
    workspace: context.workspace,
    revision: context.sha || inputs.tag,
    source: context.repository ? `${context.serverUrl}/${context.repository}` : undefined,
    env,
    log: run.log,
    signal: run.signal,
    // The AWS SDK is loaded only for an ECR repository.
    ecr: async (region) => (await import('./ecr-client.ts')).createEcrApi(region, run.signal),
    summaryPath: context.stepSummaryPath,
  });
  core.setOutput('image', result.image);
  core.setOutput('digest', result.digest);
  core.setOutput('tag', result.tag);
  core.setOutput('skipped', String(result.skipped));
});
