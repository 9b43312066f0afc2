// What a retried create finds of an earlier attempt whose answer was lost (packages/shared
// github/landed.ts): its own Deployment — not an identical one an earlier run recorded — and its
// own status. And a deadline or cancel naming the call it stopped (deadline.ts stoppedDuring).
import { describe, expect, it } from 'vitest';
import type { GitHubClient } from '../../packages/shared/src/github/client.ts';
import { landedDeployment, landedStatus } from '../../packages/shared/src/github/landed.ts';
import { CancelledError, DeadlineError, stoppedDuring } from '../../packages/shared/src/deadline.ts';

interface Kept {
  id: number;
  sha: string;
  environment: string;
  payload: unknown;
  description: string;
  statuses: { state: string; description: string }[];
}

/** The two GET routes the lookups use, over `kept` (newest first, as GitHub lists them). */
function client(kept: Kept[]): GitHubClient {
  return {
    repository: { owner: 'acme', repo: 'shop' },
    async request<T>(route: string, p: Record<string, unknown> = {}) {
      const per = Number(p.per_page ?? 30);
      if (route === 'GET /repos/{owner}/{repo}/deployments') {
        const data = kept.filter((d) => d.sha === p.sha && d.environment === p.environment).slice(0, per);
        return { status: 200, data: data as T, headers: {} };
      }
      if (route === 'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses') {
        const d = kept.find((x) => x.id === p.deployment_id);
        return { status: 200, data: [...(d?.statuses ?? [])].reverse().slice(0, per) as T, headers: {} };
      }
      throw new Error(`unexpected ${route}`);
    },
  };
}

const payload = { image: 'r/app@sha256:aa', digest: 'sha256:aa', app: 'app', expeditor: 1 };
const want = {
  sha: 'b'.repeat(40),
  environment: 'dev',
  payload: { expeditor: 1, app: 'app', digest: 'sha256:aa', image: 'r/app@sha256:aa' },
  description: 'x to dev',
};
const deployment = (id: number, statuses: Kept['statuses'], more: Partial<Kept> = {}): Kept => ({
  id,
  sha: want.sha,
  environment: 'dev',
  payload,
  description: 'x to dev',
  statuses,
  ...more,
});

describe('landedDeployment', () => {
  it('finds the Deployment the lost attempt created: same commit, environment, payload and description, no status yet', async () => {
    const found = await landedDeployment<{ id: number }>(
      client([deployment(7, []), deployment(5, [{ state: 'success', description: '' }])]),
      want,
    );
    expect(found?.data.id).toBe(7);
  });

  it('does not take an identical Deployment of an earlier run (it has statuses), nor one of another payload', async () => {
    const kept = [
      deployment(9, [], { payload: { ...payload, image: 'r/app@sha256:bb' } }),
      deployment(5, [{ state: 'in_progress', description: '' }]),
    ];
    expect(await landedDeployment(client(kept), want)).toBeUndefined();
  });
});

describe('landedStatus', () => {
  it('finds the status the lost attempt added (the newest, same state and description); not an older one', async () => {
    const kept = [deployment(7, [{ state: 'in_progress', description: 'deploying' }])];
    expect(await landedStatus(client(kept), 7, { state: 'in_progress', description: 'deploying' })).toBeDefined();
    expect(await landedStatus(client(kept), 7, { state: 'success', description: undefined })).toBeUndefined();
  });
});

describe('stoppedDuring', () => {
  it('names the call the run was waiting on, keeping a deadline a DeadlineError and a cancel a CancelledError', () => {
    const deadline = new AbortController();
    deadline.abort(new DeadlineError(4_000));
    const late = stoppedDuring(deadline.signal, 'GitHub POST /repos/{owner}/{repo}/deployments');
    expect(late).toBeInstanceOf(DeadlineError);
    expect(late.message).toBe('the deadline of 4.0 s ran out while waiting for GitHub POST /repos/{owner}/{repo}/deployments');
    const cancel = new AbortController();
    cancel.abort(new CancelledError('SIGTERM'));
    const stopped = stoppedDuring(cancel.signal, 'sts:AssumeRoleWithWebIdentity');
    expect(stopped).toBeInstanceOf(CancelledError);
    expect(stopped.message).toBe('the run was cancelled (SIGTERM) while waiting for sts:AssumeRoleWithWebIdentity');
  });
});
