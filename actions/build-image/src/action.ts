// build-image as one call for main.ts (and the sandbox): the runner's context turned into the
// build's options, then the build.
import type { GitHubContext } from '@expeditor/shared/context';
import type { Env } from '@expeditor/shared/inputs';
import type { Log } from '@expeditor/shared/log';
import { buildImage, configLocation, type BuildImageResult } from './build-image.ts';
import type { EcrFactory } from './ecr.ts';
import type { BuildImageInputs } from './inputs.ts';

export async function runBuildImage(
  inputs: BuildImageInputs,
  context: GitHubContext,
  env: Env,
  run: { log: Log; signal: AbortSignal },
  // The AWS SDK is loaded only for an ECR repository.
  ecr: EcrFactory = async (region) => (await import('./ecr-client.ts')).createEcrApi(region, run.signal),
): Promise<BuildImageResult> {
  return buildImage({
    ...inputs,
    config: configLocation(context.workspace, inputs.config),
    workspace: context.workspace,
    revision: context.sha || inputs.tag,
    source: context.repository ? `${context.serverUrl}/${context.repository}` : undefined,
    env,
    log: run.log,
    signal: run.signal,
    ecr,
    summaryPath: context.stepSummaryPath,
  });
}
