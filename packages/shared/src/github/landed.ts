// A create whose answer was lost (the connection reset after GitHub acted) must not simply be
// sent again: the retry would record a second Deployment, or a second status. Before a retry,
// these look for what the earlier attempt made (client.ts calls them; see RequestOptions.landed).
import { isDeepStrictEqual } from 'node:util';
import type { GitHubClient, GitHubResponse } from './client.ts';

interface Listed {
  id: number;
  payload: unknown;
  description: string | null;
}

/**
 * The Deployment an earlier attempt created: of this commit and environment, with this very
 * payload and description, and no status yet (the run adds its first status once it knows the
 * id; an identical Deployment of an earlier run has one).
 */
export async function landedDeployment<T>(
  client: GitHubClient,
  want: { sha: string; environment: string; payload: unknown; description: string },
): Promise<GitHubResponse<T> | undefined> {
  const listed = await client.request<Listed[]>('GET /repos/{owner}/{repo}/deployments', {
    sha: want.sha,
    environment: want.environment,
    per_page: 10,
  });
  for (const d of listed.data) {
    if (!isDeepStrictEqual(d.payload, want.payload) || (d.description ?? '') !== want.description) continue;
    const statuses = await client.request<unknown[]>('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      deployment_id: d.id,
      per_page: 1,
    });
    if (statuses.data.length === 0) return { status: 201, data: d as T, headers: {} };
  }
  return undefined;
}

/** The status an earlier attempt added: the deployment's newest, with this state and description. */
export async function landedStatus<T>(
  client: GitHubClient,
  id: number,
  want: { state: string; description: string | undefined },
): Promise<GitHubResponse<T> | undefined> {
  const statuses = await client.request<{ state: string; description: string | null }[]>(
    'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    { deployment_id: id, per_page: 1 },
  );
  const newest = statuses.data[0];
  if (newest && newest.state === want.state && (newest.description ?? '') === (want.description ?? '')) {
    return { status: 201, data: newest as T, headers: {} };
  }
  return undefined;
}
