// Bed part 'github': the local GitHub REST API (Deployments) on a free port.
import { randomBytes } from 'node:crypto';
import type { BedContext, GitHubPart, PartHandle } from '../types.ts';
import { GitHubServer } from './server.ts';

export async function start(_ctx: BedContext): Promise<PartHandle<GitHubPart>> {
  const repository = 'acme/shop';
  // Shaped like a GitHub App installation token, so masking and header code see a real shape.
  const token = `ghs_${randomBytes(18).toString('base64url')}`;
  const server = new GitHubServer({ repository, token, refs: {} });
  server.warm();
  await server.listen();
  const part: GitHubPart = {
    apiUrl: server.apiUrl,
    token,
    repository,
    env: { GITHUB_API_URL: server.apiUrl, GITHUB_REPOSITORY: repository },
    requests: () => server.requests,
    malformed: () => server.requests.filter((r) => r.problems.length > 0),
    deployments: (environment) =>
      server.deployments
        .filter((d) => environment === undefined || d.environment === environment)
        .map((d) => ({
          id: d.id,
          sha: d.sha,
          environment: d.environment,
          payload: d.payload,
          production: d.production_environment,
          statuses: (server.statuses.get(d.id) ?? []).map((s) => ({
            id: s.id,
            state: s.state,
            description: s.description,
            logUrl: s.log_url,
            environmentUrl: s.environment_url,
          })),
        })),
    addRef: (name, sha) => server.addRef(name, sha),
    fault: (status, times, headers) => server.fault(status, times, headers),
  };
  return { part, stop: () => server.close() };
}
