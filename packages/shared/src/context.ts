// The run's context from the runner's environment: the only other place that reads it.
import type { Env } from './inputs.ts';

export interface GitHubContext {
  sha: string;
  ref: string;
  repository: string;
  runId: string;
  runAttempt: string;
  serverUrl: string;
  workspace: string;
  eventName: string;
  actor: string;
  /** The workflow's name (GITHUB_WORKFLOW), e.g. for session tags. */
  workflow: string;
  /** Link to this run, for summaries and recorded annotations. */
  runUrl: string;
  /** Set when a step summary can be written. */
  stepSummaryPath: string | undefined;
  /** Set on GitHub when the job has `id-token: write`. */
  oidc: { requestUrl: string; requestToken: string } | undefined;
  /** True under nektos/act. */
  isAct: boolean;
  /** RUNNER_TEMP: files earlier steps wrote (a rendered task definition, say) may be read from there too. */
  runnerTemp?: string | undefined;
}

export function readGitHubContext(env: Env): GitHubContext {
  const serverUrl = env.GITHUB_SERVER_URL || 'https://github.com';
  const repository = env.GITHUB_REPOSITORY ?? '';
  const runId = env.GITHUB_RUN_ID ?? '';
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  return {
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    repository,
    runId,
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '1',
    serverUrl,
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    eventName: env.GITHUB_EVENT_NAME ?? '',
    actor: env.GITHUB_ACTOR ?? '',
    workflow: env.GITHUB_WORKFLOW ?? '',
    runUrl: repository && runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : '',
    stepSummaryPath: env.GITHUB_STEP_SUMMARY || undefined,
    oidc: requestUrl && requestToken ? { requestUrl, requestToken } : undefined,
    isAct: env.ACT === 'true',
    runnerTemp: env.RUNNER_TEMP || undefined,
  };
}
