// GitHub Actions OIDC tokens as the runner issues them (claims as GitHub documents them), unsigned:
// assume-env decodes claims without verifying, only STS checks the signature.
const base = {
  jti: '1b1b4d8e-7a8c-4f0e-9d0a-3c2c7f1e9a55',
  aud: 'sts.amazonaws.com',
  sha: '3f9c2d81a0b4e5c6d7e8f90123456789abcdef01',
  repository: 'acme/shop',
  repository_owner: 'acme',
  repository_owner_id: '1342004',
  run_id: '7512345678',
  run_number: '311',
  run_attempt: '1',
  repository_visibility: 'private',
  repository_id: '712904583',
  actor_id: '583231',
  actor: 'octocat',
  workflow: 'deploy',
  head_ref: '',
  base_ref: '',
  event_name: 'push',
  ref_protected: 'true',
  ref_type: 'branch',
  ref: 'refs/heads/main',
  workflow_ref: 'acme/shop/.github/workflows/deploy.yml@refs/heads/main',
  workflow_sha: '3f9c2d81a0b4e5c6d7e8f90123456789abcdef01',
  job_workflow_ref: 'acme/shop/.github/workflows/deploy.yml@refs/heads/main',
  job_workflow_sha: '3f9c2d81a0b4e5c6d7e8f90123456789abcdef01',
  runner_environment: 'github-hosted',
  iss: 'https://token.actions.githubusercontent.com',
  nbf: 1741944113,
  exp: 1741944713,
  iat: 1741944413,
};

export const claims = {
  branch: { ...base, sub: 'repo:acme/shop:ref:refs/heads/main' },
  tag: { ...base, sub: 'repo:acme/shop:ref:refs/tags/v1.4.2', ref: 'refs/tags/v1.4.2', ref_type: 'tag', event_name: 'push' },
  pullRequest: {
    ...base,
    sub: 'repo:acme/shop:pull_request',
    ref: 'refs/pull/482/merge',
    event_name: 'pull_request',
    head_ref: 'feature/checkout-v2',
    base_ref: 'main',
    ref_protected: 'false',
  },
  environment: { ...base, sub: 'repo:acme/shop:environment:prod', environment: 'prod', environment_node_id: 'EN_kwDOKn0Bc84B3Z1a' },
  staging: { ...base, sub: 'repo:acme/shop:environment:staging', environment: 'staging', environment_node_id: 'EN_kwDOKn0Bc84B3Z1b' },
  reusable: {
    ...base,
    sub: 'repo:acme/shop:environment:prod',
    environment: 'prod',
    job_workflow_ref: 'acme/platform/.github/workflows/deploy.yml@refs/tags/v3',
  },
  enterprise: {
    ...base,
    sub: 'repo:acme/shop:ref:refs/heads/main',
    iss: 'https://token.actions.githubusercontent.com/acme-corp',
    aud: ['sts.amazonaws.com', 'https://github.com/acme'],
  },
};

/** A JWT of these claims, as the runner hands it out (the signature is not checked here). */
export function jwt(payload: Record<string, unknown>): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ typ: 'JWT', alg: 'RS256', x5t: 'ykNaY4qM_ta4k2TgZOCEYLkcYlA', kid: '1F2AB83404C08EC9EA0BB99DAED02186B091DBF4' })}.${part(payload)}.c2lnbmF0dXJl`;
}
