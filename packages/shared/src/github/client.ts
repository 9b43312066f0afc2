// The GitHub REST client, made at the edge and passed in. @octokit/core alone (request, auth,
// base URL) rather than the full REST plugin: the few routes we call are named in place, and the
// bundle stays small.
import { Octokit } from '@octokit/core';
import type { Env } from '../inputs.ts';
import { ExpeditorError, describeError } from '../errors.ts';
import { runnerProxy } from '../proxy.ts';
import { proxyFetch } from '../proxy-agents.ts';
import { withRetry } from '../retry.ts';
import { stoppedDuring } from '../deadline.ts';
import type { Log } from '../log.ts';

/** What a run needs to reach GitHub's REST API (GITHUB_API_URL on GHES, or the bed's server). */
export interface GitHubApiSettings {
  apiUrl: string;
  token: string;
  /** owner/name */
  repository: string;
}

/** The API base URL of the run: GITHUB_API_URL, else github.com's. */
export function apiUrlOf(env: Env): string {
  return (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
}

export type GitHubRequest = (
  route: string,
  parameters?: Record<string, unknown>,
) => Promise<{ status: number; data: unknown; headers: Record<string, unknown> }>;

export type GitHubResponse<T> = { status: number; data: T; headers: Record<string, unknown> };

export interface RequestOptions<T> {
  /**
   * For a write that must not be repeated (a create): before each retry, looks for what an earlier
   * attempt made when its answer was lost after GitHub acted; what it finds is the answer.
   */
  landed?: () => Promise<GitHubResponse<T> | undefined>;
}

export interface GitHubClient {
  readonly repository: { owner: string; repo: string };
  /** One REST call, retried on throttling, 5xx and dropped connections only. */
  request<T>(route: string, parameters?: Record<string, unknown>, options?: RequestOptions<T>): Promise<GitHubResponse<T>>;
}

/** A failed GitHub call, shaped so classifyError sees its HTTP status. */
export class GitHubApiError extends ExpeditorError {
  readonly statusCode: number | undefined;
  constructor(route: string, error: unknown) {
    const e = error as { status?: number; response?: { headers?: Record<string, string> }; message?: string };
    // A spent primary rate limit is a 403 with x-ratelimit-remaining 0: retry it as throttling.
    const throttled = e.status === 403 && e.response?.headers?.['x-ratelimit-remaining'] === '0';
    const status = throttled ? 429 : e.status;
    super(`GitHub ${route} failed: ${e.status ? `HTTP ${e.status}: ${firstLine(e.message ?? '')}` : describeError(error)}`, {
      cause: error,
      next:
        e.status === 401 || e.status === 403
          ? "give the job 'deployments: write' (and 'contents: read') permissions, or pass a token that has them"
          : e.status === 404
            ? 'check the repository name and that the token can see it'
            : undefined,
    });
    this.name = 'GitHubApiError';
    this.statusCode = status;
    // Network errors keep their code so they are retried.
    const code = (error as { code?: unknown; cause?: { code?: unknown } }).cause?.code;
    if (typeof code === 'string') Object.assign(this, { code });
  }
}

function firstLine(text: string): string {
  return (text.split('\n', 1)[0] ?? '').slice(0, 300);
}

export interface GitHubClientOptions extends GitHubApiSettings {
  signal?: AbortSignal;
  log?: Pick<Log, 'info' | 'mask'>;
  /** Retries after the first try (default 4). */
  retries?: number;
  /** Replaces fetch, e.g. to inject a fault the local server cannot produce. */
  fetch?: typeof fetch;
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const [owner, repo, ...rest] = options.repository.split('/');
  if (!owner || !repo || rest.length > 0) {
    throw new ExpeditorError(`the repository must be owner/name, got '${options.repository}'`, { unchanged: 'nothing was changed' });
  }
  options.log?.mask(options.token);
  // Behind a proxy (HTTPS_PROXY, NO_PROXY) requests tunnel through it; otherwise fetch as it is.
  const fetcher = options.fetch ?? (runnerProxy().any ? proxyFetch() : undefined);
  const octokit = new Octokit({
    auth: options.token,
    baseUrl: options.apiUrl,
    userAgent: 'expeditor',
    request: { ...(fetcher ? { fetch: fetcher } : {}), ...(options.signal ? { signal: options.signal } : {}) },
  });
  return {
    repository: { owner, repo },
    async request<T>(route: string, parameters: Record<string, unknown> = {}, extra: RequestOptions<T> = {}) {
      return withRetry(
        async (attempt) => {
          if (attempt > 1 && extra.landed) {
            const found = await extra.landed();
            if (found) {
              options.log?.info(`GitHub ${route}: the earlier attempt had landed (its answer was lost); not sent again`);
              return found;
            }
          }
          try {
            const response = await octokit.request(route, {
              owner,
              repo,
              headers: { 'x-github-api-version': '2022-11-28' },
              ...parameters,
            });
            return response as unknown as { status: number; data: T; headers: Record<string, unknown> };
          } catch (error) {
            if (options.signal?.aborted) throw error;
            throw new GitHubApiError(route, error);
          }
        },
        {
          retries: options.retries ?? 4,
          ...(options.signal ? { signal: options.signal } : {}),
          onRetry: (error, attempt) => options.log?.info(`GitHub ${route}: ${describeError(error)}; retry ${attempt}`),
        },
      ).catch((error: unknown) => {
        // A deadline or cancel says which call it stopped (octokit wraps it in an HttpError).
        if (options.signal?.aborted) throw stoppedDuring(options.signal, `GitHub ${route}`);
        throw error;
      });
    },
  };
}
