// GitHub Deployments and the promotion gate (packages/shared/src/github) against the bed's local
// GitHub API, which refuses any request GitHub's REST description would not accept.
import { describe, expect, test } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import { createGitHubClient, type GitHubClient } from '../../packages/shared/src/github/client.ts';
import {
  currentDeployment,
  findPassedDeployment,
  finishDeployment,
  promotionGate,
  setStatus,
  startDeployment,
} from '../../packages/shared/src/github/deployments.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';

const bed = useBed(['github']);

let n = 0;
/** A digest reference unique to this test run. */
function image(): string {
  n++;
  return `127.0.0.1:5000/shop/app@sha256:${n.toString(16).padStart(8, '0').repeat(8)}`;
}
const commit = (c: string): string => c.repeat(40).slice(0, 40);

function client(options: { retries?: number } = {}): GitHubClient {
  return createGitHubClient({
    apiUrl: bed.github.apiUrl,
    token: bed.github.token,
    repository: bed.github.repository,
    retries: options.retries ?? 2,
  });
}

async function deploy(environment: string, img: string, sha: string, state: 'success' | 'failure'): Promise<number> {
  const gh = client();
  const record = await startDeployment(gh, { sha, environment, image: img, logUrl: 'https://github.com/acme/shop/actions/runs/1' });
  await finishDeployment(gh, record.id, state, { environmentUrl: `https://${environment}.shop.example` });
  return record.id;
}

describe('GitHub Deployments', () => {
  test('a deploy is a Deployment (ref = commit, payload with the digest) with in_progress then success, log and environment URLs', async () => {
    const img = image();
    const sha = commit('a1');
    const gh = client();
    const record = await startDeployment(gh, {
      sha,
      environment: 'dev',
      image: img,
      app: 'demo-app',
      platform: 'ecs',
      strategy: 'rolling',
      logUrl: 'https://github.com/acme/shop/actions/runs/7',
      environmentUrl: 'https://dev.shop.example',
    });
    await finishDeployment(gh, record.id, 'success', {
      logUrl: 'https://github.com/acme/shop/actions/runs/7',
      environmentUrl: 'https://dev.shop.example',
      description: 'deployed',
    });
    const [kept] = bed.github.deployments('dev').filter((d) => d.id === record.id);
    expect(kept).toMatchObject({
      sha,
      environment: 'dev',
      production: false,
      payload: { image: img, digest: img.slice(img.indexOf('@') + 1), app: 'demo-app', platform: 'ecs', strategy: 'rolling', expeditor: 1 },
    });
    expect(kept!.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(kept!.statuses[1]).toMatchObject({
      logUrl: 'https://github.com/acme/shop/actions/runs/7',
      environmentUrl: 'https://dev.shop.example',
      description: 'deployed',
    });
    expect(bed.github.malformed()).toEqual([]);
  });

  test('an image by tag is refused before any request', async () => {
    const before = bed.github.requests().length;
    await expect(
      startDeployment(client(), { sha: commit('b'), environment: 'dev', image: '127.0.0.1:5000/shop/app:latest' }),
    ).rejects.toThrow(/not given by digest/);
    expect(bed.github.requests().length).toBe(before);
  });

  test('the gate lets through a digest that passed the promote-from environment, and only that', async () => {
    const good = image();
    const failed = image();
    const devOnly = image();
    await deploy('staging-g', good, commit('c'), 'success');
    await deploy('staging-g', failed, commit('d'), 'failure');
    await deploy('dev-g', devOnly, commit('e'), 'success');

    const passed = await promotionGate(client(), { app: undefined, from: 'staging-g', to: 'prod-g', digest: good });
    expect(passed).toMatchObject({
      environment: 'staging-g',
      sha: commit('c'),
      payload: { image: good },
      environmentUrl: 'https://staging-g.shop.example',
    });
    // By bare digest too.
    expect(
      (await promotionGate(client(), { app: undefined, from: 'staging-g', to: 'prod-g', digest: good.slice(good.indexOf('@') + 1) })).id,
    ).toBe(passed.id);

    await expect(promotionGate(client(), { app: undefined, from: 'staging-g', to: 'prod-g', digest: failed })).rejects.toThrow(
      /has no successful deployment in staging-g, so it may not be promoted to prod-g/,
    );
    const refused = await promotionGate(client(), { app: undefined, from: 'staging-g', to: 'prod-g', digest: devOnly }).catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ unchanged: 'nothing was deployed to prod-g' });
    expect((refused as Error).message).toContain(devOnly.slice(devOnly.indexOf('@') + 1));
    expect(bed.github.malformed()).toEqual([]);
  });

  test('a pass survives a newer deploy (inactive), not a rollback (error recorded after success)', async () => {
    const first = image();
    const second = image();
    const firstId = await deploy('staging-r', first, commit('f'), 'success');
    await deploy('staging-r', second, commit('f0'), 'success');
    // GitHub marked the first inactive when the second succeeded.
    expect(bed.github.deployments('staging-r')[0]!.statuses.map((s) => s.state)).toEqual(['in_progress', 'success', 'inactive']);
    expect((await findPassedDeployment(client(), { app: undefined, environment: 'staging-r', digest: first }))?.id).toBe(firstId);
    expect((await currentDeployment(client(), 'staging-r', undefined))?.payload.image).toBe(second);

    const secondId = bed.github.deployments('staging-r')[1]!.id;
    await setStatus(client(), secondId, 'error', { description: 'rolled back' });
    expect(await findPassedDeployment(client(), { app: undefined, environment: 'staging-r', digest: second })).toBeUndefined();
  });

  test('by commit: the newest image of that commit that passed', async () => {
    const sha = commit('9');
    const older = image();
    const newer = image();
    await deploy('staging-c', older, sha, 'success');
    await deploy('staging-c', newer, sha, 'failure');
    const found = await promotionGate(client(), { app: undefined, from: 'staging-c', to: 'prod-c', sha });
    expect(found.payload.image).toBe(older);
    await expect(promotionGate(client(), { app: undefined, from: 'staging-c', to: 'prod-c', sha: commit('8') })).rejects.toThrow(
      /commit 8{40} has no successful/,
    );
  });

  test('finds a pass beyond the first page of deployments', async () => {
    const old = image();
    await deploy('busy', old, commit('7'), 'success');
    const gh = client();
    for (let i = 0; i < 101; i++) await startDeployment(gh, { sha: commit('6'), environment: 'busy', image: image() });
    const before = bed.github.requests().length;
    expect((await findPassedDeployment(gh, { app: undefined, environment: 'busy', digest: old }))?.payload.image).toBe(old);
    const pages = bed.github
      .requests()
      .slice(before)
      .filter((r) => r.operationId === 'repos/list-deployments');
    expect(pages.map((r) => new URL(r.path, 'http://x').searchParams.get('page'))).toEqual(['1', '2']);
  }, 60_000);

  test('retries a 502 and a spent rate limit; never a 403 for missing permission', async () => {
    const gh = client({ retries: 3 });
    bed.github.fault(502, 2);
    const sha = commit('5');
    const record = await startDeployment(gh, { sha, environment: 'retry', image: image() });
    expect(bed.github.deployments('retry').map((d) => d.id)).toEqual([record.id]);

    bed.github.fault(403, 1, { 'x-ratelimit-remaining': '0' });
    await finishDeployment(gh, record.id, 'success');

    bed.github.fault(403, 1);
    const before = bed.github.requests().length;
    const denied = (await setStatus(gh, record.id, 'inactive').then(
      () => new Error('no error'),
      (e: unknown) => e,
    )) as Error & { next?: string };
    expect(denied.message).toMatch(/GitHub POST \/repos\/\{owner\}\/\{repo\}\/deployments\/\{deployment_id\}\/statuses failed: HTTP 403/);
    expect(denied.next).toMatch(/deployments: write/);
    expect(bed.github.requests().length - before).toBe(1);
    expect(bed.github.deployments('retry')[0]!.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
  });

  test('the token is masked before first use', () => {
    const log = memoryLog();
    createGitHubClient({ apiUrl: bed.github.apiUrl, token: bed.github.token, repository: 'acme/shop', log });
    log.info(`token ${bed.github.token}`);
    expect(log.lines).toEqual(['token ***']);
  });
});
