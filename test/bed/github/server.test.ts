// Self-test of the bed's GitHub API: well-formed requests are answered from kept state, and
// requests GitHub's REST description would not accept are refused (so a client bug fails a test).
import { describe, expect, test } from 'vitest';
import { useBed } from '../vitest.ts';

const bed = useBed(['github']);
const sha = 'c0ffee'.padEnd(40, '0');

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  // biome-ignore lint/suspicious/noExplicitAny: the tests read whatever JSON the stand-in answers
): Promise<{ status: number; json: any; headers: Headers }> {
  const response = await fetch(`${bed.github.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `token ${bed.github.token}`,
      accept: 'application/vnd.github+json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined, headers: response.headers };
}

describe('bed github', () => {
  test('creates deployments and statuses, lists them newest first with filters and pages', async () => {
    const created = await call('POST', '/repos/acme/shop/deployments', {
      ref: sha,
      environment: 'dev',
      payload: { digest: 'sha256:1' },
      auto_merge: false,
      required_contexts: [],
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect(created.json).toMatchObject({
      sha,
      ref: sha,
      environment: 'dev',
      payload: { digest: 'sha256:1' },
      production_environment: false,
    });
    const id = created.json.id as number;
    const status = await call('POST', `/repos/acme/shop/deployments/${id}/statuses`, {
      state: 'success',
      log_url: 'https://x/log',
      environment_url: 'https://dev.example',
    });
    expect(status.status).toBe(201);
    expect(status.json).toMatchObject({ state: 'success', log_url: 'https://x/log', target_url: 'https://x/log', environment: 'dev' });

    for (let i = 0; i < 3; i++) {
      expect((await call('POST', '/repos/acme/shop/deployments', { ref: sha, environment: 'staging' })).status).toBe(201);
    }
    const staging = await call('GET', '/repos/acme/shop/deployments?environment=staging&per_page=2');
    expect(staging.json).toHaveLength(2);
    expect(staging.json[0].id).toBeGreaterThan(staging.json[1].id);
    expect(staging.headers.get('link')).toContain('rel="next"');
    const second = await call('GET', '/repos/acme/shop/deployments?environment=staging&per_page=2&page=2');
    expect(second.json).toHaveLength(1);
    expect(second.headers.get('link')).toBeNull();
    expect(bed.github.malformed()).toEqual([]);
  });

  test('auto_inactive: a newer success marks the earlier successful deployment of the environment inactive', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 2; i++) {
      const d = await call('POST', '/repos/acme/shop/deployments', { ref: sha, environment: 'qa' });
      ids.push(d.json.id);
      await call('POST', `/repos/acme/shop/deployments/${d.json.id}/statuses`, { state: 'success' });
    }
    const first = await call('GET', `/repos/acme/shop/deployments/${ids[0]}/statuses`);
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    expect(first.json.map((s: { state: string }) => s.state)).toEqual(['inactive', 'success']);
    const prod = await call('POST', '/repos/acme/shop/deployments', { ref: sha, environment: 'qa', production_environment: true });
    await call('POST', `/repos/acme/shop/deployments/${prod.json.id}/statuses`, { state: 'success' });
    expect(bed.github.deployments('qa').map((d) => d.statuses.at(-1)?.state)).toEqual(['inactive', 'success', 'success']);
  });

  test.each([
    ['a route GitHub does not have', 'POST', '/repos/acme/shop/deploys', { ref: sha }, 404, /no such route/],
    ['a method the route does not take', 'PUT', '/repos/acme/shop/deployments', { ref: sha }, 404, /not with PUT/],
    ['a missing required field', 'POST', '/repos/acme/shop/deployments', { environment: 'dev' }, 422, /must have required property 'ref'/],
    [
      'a field of the wrong type',
      'POST',
      '/repos/acme/shop/deployments',
      { ref: sha, auto_merge: 'no' },
      422,
      /auto_merge.*must be boolean/,
    ],
    ['an unknown field', 'POST', '/repos/acme/shop/deployments', { ref: sha, environmentUrl: 'x' }, 422, /unknown field 'environmentUrl'/],
    ['a state outside the enum', 'POST', '/repos/acme/shop/deployments/1000/statuses', { state: 'done' }, 422, /allowed values/],
    ['a non-integer path parameter', 'GET', '/repos/acme/shop/deployments/abc/statuses', undefined, 422, /deployment_id.*must be integer/],
    ['an unknown query parameter', 'GET', '/repos/acme/shop/deployments?enviroment=dev', undefined, 422, /enviroment.*is not a parameter/],
    ['a body on a route that takes none', 'DELETE', '/repos/acme/shop/deployments/1000', { x: 1 }, 422, /takes no body/],
  ])('refuses %s', async (_name, method, path, body, status, problem) => {
    const before = bed.github.malformed().length;
    const answer = await call(method, path, body);
    expect(answer.status).toBe(status);
    const refused = bed.github.malformed().slice(before);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.problems.map((p) => `${p.where}: ${p.message}`).join('\n')).toMatch(problem);
  });

  test('refuses a wrong token and an unknown ref as GitHub does', async () => {
    expect((await call('GET', '/repos/acme/shop/deployments', undefined, { authorization: 'token nope' })).status).toBe(401);
    const unknownRef = await call('POST', '/repos/acme/shop/deployments', { ref: 'no-such-branch' });
    expect(unknownRef.status).toBe(422);
    expect(unknownRef.json.message).toBe('No ref found for: no-such-branch');
    bed.github.addRef('main', sha);
    expect((await call('POST', '/repos/acme/shop/deployments', { ref: 'main' })).json.sha).toBe(sha);
    expect((await call('GET', '/repos/other/repo/deployments')).status).toBe(404);
  });
});
