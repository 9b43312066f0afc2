// Scoping of GitHub Deployment lookups by app (several apps in one repository and environment),
// records made before apps were scoped, and the baseline a first deploy records (what ran before
// it), over an in-memory GitHub that lists newest first and pages as GitHub does.
import { describe, expect, it } from 'vitest';
import type { GitHubClient } from '../../packages/shared/src/github/client.ts';
import {
  currentDeployment,
  findPassedDeployment,
  newestDeployment,
  position,
  promotionGate,
  sameApp,
  type DeploymentPayload,
  type StatusState,
} from '../../packages/shared/src/github/deployments.ts';
import type { EnvironmentPlan } from '../../actions/deployment-record/src/record.ts';
import { baselineDeployment, refuseImagelessRedeploy, rollbackDeployment } from '../../actions/deployment-record/src/record.ts';
import { ExpeditorError } from '../../packages/shared/src/errors.ts';
import { thrownError } from './thrown.ts';

/** The ExpeditorError a promise rejects with. */
async function rejection(fn: () => Promise<unknown>): Promise<ExpeditorError> {
  const error = await fn().then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExpeditorError);
  return error as ExpeditorError;
}

interface Stored {
  id: number;
  sha: string;
  environment: string;
  payload: Partial<DeploymentPayload> & { expeditor?: number };
  statuses: StatusState[];
}

const digestOf = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
const imageOf = (app: string, n: number): string => `registry.example/${app}@${digestOf(n)}`;

/** A repository's deployments; `add` appends one with its statuses (oldest first). */
function github(): { client: GitHubClient; add: (d: Omit<Stored, 'id'>) => number; calls: string[] } {
  const store: Stored[] = [];
  const calls: string[] = [];
  const client: GitHubClient = {
    repository: { owner: 'acme', repo: 'shop' },
    async request<T>(route: string, p: Record<string, unknown> = {}) {
      calls.push(route);
      const page = Number(p.page ?? 1);
      const per = Number(p.per_page ?? 30);
      let data: unknown;
      if (route === 'GET /repos/{owner}/{repo}/deployments') {
        const list = [...store]
          .reverse()
          .filter((d) => d.environment === p.environment && (p.sha === undefined || d.sha === p.sha))
          .map((d) => ({ id: d.id, sha: d.sha, ref: d.sha, environment: d.environment, payload: d.payload, created_at: 'x', url: 'u' }));
        data = list.slice((page - 1) * per, page * per);
      } else if (route === 'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses') {
        const d = store.find((x) => x.id === p.deployment_id)!;
        const list = d.statuses.map((state, i) => ({ id: d.id * 100 + i, state, created_at: 'x', description: '' })).reverse();
        data = list.slice((page - 1) * per, page * per);
      } else throw new Error(`unexpected ${route}`);
      return { status: 200, data: data as T, headers: {} };
    },
  };
  return {
    client,
    calls,
    add: (d) => {
      const id = store.length + 1;
      store.push({ ...d, id });
      return id;
    },
  };
}

const sha = (c: string): string => c.repeat(40).slice(0, 40);

function deploy(gh: ReturnType<typeof github>, app: string | undefined, n: number, statuses: StatusState[], environment = 'prod'): number {
  return gh.add({
    sha: sha(String(n % 10)),
    environment,
    payload: { image: imageOf(app ?? 'legacy', n), digest: digestOf(n), ...(app ? { app } : {}), expeditor: 1 },
    statuses,
  });
}

describe('sameApp', () => {
  it.each<[string | undefined, string | undefined, boolean]>([
    ['cart', 'cart', true],
    ['cart', 'web', false],
    [undefined, 'cart', false],
    ['cart', undefined, false],
    [undefined, undefined, true],
  ])('record app %s, looked up as %s: %s', (recorded, asked, same) => {
    expect(sameApp(recorded === undefined ? {} : { app: recorded }, asked)).toBe(same);
  });
});

describe('lookups are scoped to one app', () => {
  it("the current deployment is the app's own newest pass, whatever another app did after it (inactive included)", async () => {
    const gh = github();
    const web = deploy(gh, 'web', 1, ['in_progress', 'success', 'inactive']);
    const cart = deploy(gh, 'cart', 2, ['in_progress', 'success']);
    deploy(gh, 'cart', 3, ['in_progress', 'failure']);
    expect((await currentDeployment(gh.client, 'prod', 'web'))?.id).toBe(web);
    expect((await currentDeployment(gh.client, 'prod', 'cart'))?.id).toBe(cart);
    expect(await currentDeployment(gh.client, 'prod', 'search')).toBeUndefined();
  });

  it("rollback's previous image is never another app's, even when that app deployed in between", async () => {
    const gh = github();
    const webOld = deploy(gh, 'web', 1, ['in_progress', 'success', 'inactive']);
    deploy(gh, 'cart', 2, ['in_progress', 'success', 'inactive']);
    const webNew = deploy(gh, 'web', 3, ['in_progress', 'success']);
    const previous = await findPassedDeployment(gh.client, {
      environment: 'prod',
      app: 'web',
      except: digestOf(3),
      before: webNew,
      baselines: true,
    });
    expect(previous?.id).toBe(webOld);
    expect(previous?.payload.image).toBe(imageOf('web', 1));
  });

  it("promotion by commit or digest considers only the same app's passes", async () => {
    const gh = github();
    // Both apps built at one commit (a monorepo): each promotes its own image.
    const web = deploy(gh, 'web', 10, ['in_progress', 'success'], 'staging');
    const cart = deploy(gh, 'cart', 20, ['in_progress', 'success'], 'staging');
    expect((await promotionGate(gh.client, { from: 'staging', to: 'prod', app: 'web', sha: sha('0') })).id).toBe(web);
    expect((await promotionGate(gh.client, { from: 'staging', to: 'prod', app: 'cart', sha: sha('0') })).id).toBe(cart);
    const crossed = await rejection(() => promotionGate(gh.client, { from: 'staging', to: 'prod', app: 'web', digest: digestOf(20) }));
    expect(crossed.message).toBe(
      `digest ${digestOf(20)} has no successful deployment of web in staging, so it may not be promoted to prod`,
    );
    // What to do: deploy it to staging first (a merge whose build inputs differ gets an image of its own), or promote what passed.
    expect(crossed.next).toMatch(
      /^deploy this commit's image to staging first and let it pass there \(a merge gets an image of its own when its build inputs/,
    );
    expect(crossed.next).toContain(
      `or promote the image that passed staging by its digest: the newest of web is ${imageOf('web', 10)} (commit ${sha('0').slice(0, 12)}, deployment ${web})`,
    );
    const none = await rejection(() => promotionGate(gh.client, { from: 'dev', to: 'staging', app: 'web', digest: digestOf(20) }));
    expect(none.next).toContain("or promote an image that passed (see the dev environment's deployments on GitHub)");
  });

  it('a record with no app (before apps were scoped) answers only a lookup with no app, and the refusal says why', async () => {
    const gh = github();
    const legacy = deploy(gh, undefined, 5, ['in_progress', 'success'], 'staging');
    expect((await promotionGate(gh.client, { from: 'staging', to: 'prod', app: undefined, digest: digestOf(5) })).id).toBe(legacy);
    const refused = await rejection(() => promotionGate(gh.client, { from: 'staging', to: 'prod', app: 'web', digest: digestOf(5) }));
    expect(refused.message).toContain(`deployment ${legacy} passed staging with that image but names no app`);
    expect(await currentDeployment(gh.client, 'staging', 'web')).toBeUndefined();
  });

  it("the newest deployment (the approval's guard) is the app's own, baselines aside", async () => {
    const gh = github();
    const held = deploy(gh, 'web', 1, ['in_progress']);
    deploy(gh, 'cart', 2, ['in_progress', 'success']);
    expect(await newestDeployment(gh.client, 'prod', 'web')).toEqual({ id: held, state: 'in_progress' });
    deploy(gh, 'web', 3, ['in_progress']);
    expect((await newestDeployment(gh.client, 'prod', 'web'))?.id).not.toBe(held);
  });
});

describe('baselines: what ran before the first deploy', () => {
  const plan: EnvironmentPlan = {
    platform: 'ecs',
    strategy: 'blue-green',
    route: undefined,
    waitUntil: 'ready',
    url: undefined,
    promoteFrom: undefined,
    production: true,
    app: 'web',
  };

  it('sorts just before the deployment it preceded', () => {
    expect(position({ id: 9, payload: { baselineOf: 4 } })).toBe(3.5);
    expect(position({ id: 4, payload: {} })).toBe(4);
  });

  it("is recorded at the first deploy's commit, with the task definition or color it knows, as passed", () => {
    const b = baselineDeployment(
      'prod',
      { id: 4, sha: sha('a') },
      { target: 'arn:aws:ecs:us-west-2:1:task-definition/web:1', image: undefined },
      plan,
      undefined,
    );
    expect(b).toMatchObject({
      sha: sha('a'),
      environment: 'prod',
      image: '',
      app: 'web',
      target: 'arn:aws:ecs:us-west-2:1:task-definition/web:1',
      baselineOf: 4,
      state: 'success',
      production: true,
    });
  });

  it('a rollback from the first deploy returns to its baseline; from a later one, to the deploy before', async () => {
    const gh = github();
    const first = deploy(gh, 'web', 1, ['in_progress', 'success']);
    const baseline = gh.add({
      sha: sha('1'),
      environment: 'prod',
      payload: { image: '', digest: '', app: 'web', target: 'web:1', baselineOf: first, expeditor: 1 },
      statuses: ['success'],
    });
    // Another app's first deploy and baseline in between.
    const cartFirst = deploy(gh, 'cart', 2, ['in_progress', 'success']);
    gh.add({
      sha: sha('2'),
      environment: 'prod',
      payload: { image: '', digest: '', app: 'cart', target: 'cart:1', baselineOf: cartFirst, expeditor: 1 },
      statuses: ['success'],
    });
    const back = (current: number, digest: string) =>
      findPassedDeployment(gh.client, { environment: 'prod', app: 'web', except: digest, before: current, baselines: true });
    expect((await back(first, digestOf(1)))?.id).toBe(baseline);
    const second = deploy(gh, 'web', 3, ['in_progress', 'success']);
    expect((await back(second, digestOf(3)))?.id).toBe(first);
    // The current deployment is never the baseline (it sorts before the first deploy).
    expect((await currentDeployment(gh.client, 'prod', 'web'))?.id).toBe(second);
    // Nor does a baseline pass a promotion gate.
    expect(await findPassedDeployment(gh.client, { environment: 'prod', app: 'web', sha: sha('1') })).toMatchObject({ id: first });
  });

  it('a rollback to a baseline names its target; an ECS redeploy without an image is refused naming the task definition', () => {
    const previous = {
      id: 2,
      sha: sha('a'),
      environment: 'dev',
      payload: {
        image: '',
        digest: '',
        app: 'web',
        target: 'arn:aws:ecs:us-west-2:1:task-definition/web:1',
        baselineOf: 1,
        expeditor: 1 as const,
      },
      createdAt: 'x',
      url: 'u',
      passedAt: 'x',
      environmentUrl: undefined,
    };
    const current = { ...previous, id: 1, payload: { image: imageOf('web', 1), digest: digestOf(1), app: 'web', expeditor: 1 as const } };
    expect(rollbackDeployment('dev', current, previous, plan, undefined)).toMatchObject({
      image: '',
      target: previous.payload.target,
      rollbackOf: 1,
    });
    // Blue/green returns to the previous task definition without an image.
    expect(() => refuseImagelessRedeploy('dev', previous, plan)).not.toThrow();
    const refused = thrownError(() => refuseImagelessRedeploy('dev', previous, { ...plan, strategy: 'rolling' }));
    expect(refused.message).toContain('cannot be redeployed');
    expect((refused as { next?: string }).next).toContain('update the service to arn:aws:ecs:us-west-2:1:task-definition/web:1');
  });
});
