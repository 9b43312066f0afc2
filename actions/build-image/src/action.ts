import type { GitHubContext } from '@expeditor/shared/context';
import type { Env } from '@expeditor/shared/inputs';
import type { Log } from '@expeditor/shared/log';
import { buildOrReuse, type BuildImageResult, type BuildOrReuseOptions } from './build-or-reuse.ts';
import type { EcrFactory } from './ecr.ts';
import type { BuildImageInputs } from './inputs.ts';
import { registryClient } from './registry-client.ts';
import { buildImageSummary } from './summary.ts';

export type { BuildImageResult } from './build-or-reuse.ts';

export interface BuildImageOptions extends Omit<BuildOrReuseOptions, 'registry'> {
  /** The registry access; the distribution API over HTTP unless given. */
  registry?: BuildOrReuseOptions['registry'];
  /** Step summary file, written on success and on failure. */
  summaryPath?: string | undefined;
}

export async function buildImage(options: BuildImageOptions): Promise<BuildImageResult> {
  try {
    const result = await buildOrReuse({ ...options, registry: options.registry ?? registryClient });
    buildImageSummary({ result }).write(options.summaryPath);
    return result;
  } catch (error) {
    buildImageSummary({ error }).write(options.summaryPath);
    throw error;
  }
}

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

/** Where the environment file is, for the input layer's check and the core. */
export function configLocation(workspace: string, config: string): { workspace: string; shownAs: string } {
  return { workspace, shownAs: config };
}
