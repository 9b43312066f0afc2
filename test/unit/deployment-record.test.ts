import { describe, expect, it } from 'vitest';
import type { RecordInputs } from '../../actions/deployment-record/src/inputs.ts';
import {
  check,
  deployment,
  finishStatus,
  gateFrom,
  planEnvironment,
  rollbackDeployment,
  type EnvironmentPlan,
} from '../../actions/deployment-record/src/record.ts';
import { recordSummary } from '../../actions/deployment-record/src/summary.ts';
import { parseConfig } from '../../packages/shared/src/config.ts';
import { ExpeditorError } from '../../packages/shared/src/errors.ts';
import { thrownError } from './thrown.ts';
import { passed, type PassedDeployment } from '../../packages/shared/src/github/deployments.ts';

const config = parseConfig(
  `app: shop
image: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop }
environments:
  dev:
    aws: { account: "111111111111", region: us-west-2, role: "arn:aws:iam::111111111111:role/deploy" }
    ecs: { cluster: dev, service: shop-web, strategy: rolling }
    url: https://dev.shop.acme.example
  staging:
    aws: { account: "222222222222", region: us-west-2, role: "arn:aws:iam::222222222222:role/deploy" }
    ecs: { cluster: staging, service: shop-web, strategy: blue-green }
    promote-from: dev
  prod:
    aws: { account: "333333333333", region: us-west-2, role: "arn:aws:iam::333333333333:role/deploy" }
    eks: { cluster: prod, namespace: shop, strategy: blue-green, route: ingress }
    url: https://shop.acme.example
    promote-from: staging
`,
  '.github/expeditor.yml',
);

const inputs: RecordInputs = {
  mode: 'start',
  environment: 'staging',
  config: '.github/expeditor.yml',
  image: undefined,
  promoteFrom: undefined,
  digest: undefined,
  commit: undefined,
  rollback: false,
  deploymentId: undefined,
  state: undefined,
  environmentUrl: undefined,
  platform: undefined,
  strategy: undefined,
  production: 'auto',
  app: undefined,
  previousTarget: undefined,
  previousImage: undefined,
  description: undefined,
  token: 'ghs_x',
  timeoutMs: 120_000,
};
const on = (over: Partial<RecordInputs>): RecordInputs => ({ ...inputs, ...over });

describe('planEnvironment', () => {
  it.each<[string, Partial<RecordInputs>, typeof config | undefined, Partial<EnvironmentPlan>]>([
    [
      'dev: first of the line, not production',
      { environment: 'dev' },
      config,
      {
        platform: 'ecs',
        strategy: 'rolling',
        promoteFrom: undefined,
        production: false,
        waitUntil: undefined,
        url: 'https://dev.shop.acme.example',
      },
    ],
    [
      'staging: promoted from dev, ECS blue/green stops at ready',
      { environment: 'staging' },
      config,
      { platform: 'ecs', strategy: 'blue-green', promoteFrom: 'dev', production: false, waitUntil: 'ready', route: undefined },
    ],
    [
      'prod: promoted from staging, nothing after it, so production',
      { environment: 'prod' },
      config,
      { platform: 'eks', route: 'ingress', promoteFrom: 'staging', production: true, url: 'https://shop.acme.example' },
    ],
    ['promote-from input over the file', { environment: 'prod', promoteFrom: 'dev' }, config, { promoteFrom: 'dev' }],
    ["promote-from 'none': no gate", { environment: 'prod', promoteFrom: 'none' }, config, { promoteFrom: undefined }],
    ['production input over auto', { environment: 'prod', production: 'false' }, config, { production: false }],
    [
      'environment-url input over the file',
      { environment: 'prod', environmentUrl: 'https://canary.shop.acme.example' },
      config,
      { url: 'https://canary.shop.acme.example' },
    ],
    [
      'no file: the inputs say everything',
      { environment: 'qa', platform: 'eks', strategy: 'rolling', promoteFrom: 'dev' },
      undefined,
      { platform: 'eks', strategy: 'rolling', route: 'service', promoteFrom: 'dev', production: false, app: undefined },
    ],
  ])('%s', (_what, over, file, expected) => {
    expect(planEnvironment(on(over), file)).toMatchObject(expected);
  });

  it('leaves an ECS strategy the file does not give to deploy-ecs, unless a codedeploy section says blue/green', () => {
    const file = (ecs: string) =>
      parseConfig(
        `app: shop
image: { repository: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop }
environments:
  prod:
    aws: { account: "333333333333", region: us-west-2, role: "arn:aws:iam::333333333333:role/deploy" }
    ecs: ${ecs}
`,
        '.github/expeditor.yml',
      );
    const detected = planEnvironment(on({ environment: 'prod' }), file('{ cluster: prod, service: shop-web }'));
    expect(detected).toMatchObject({ platform: 'ecs', strategy: undefined, waitUntil: undefined });
    const codedeploy = planEnvironment(
      on({ environment: 'prod' }),
      file('{ cluster: prod, service: shop-web, codedeploy: { application: shop, deployment-group: shop-prod } }'),
    );
    expect(codedeploy).toMatchObject({ platform: 'ecs', strategy: 'blue-green', waitUntil: 'ready' });
  });

  it('refuses a platform input that contradicts the file', () => {
    expect(() => planEnvironment(on({ environment: 'prod', platform: 'ecs' }), config)).toThrow(
      "input 'platform' is ecs but .github/expeditor.yml deploys prod to eks",
    );
  });
});

describe('what counts as passed', () => {
  type State = 'success' | 'failure' | 'error' | 'inactive' | 'in_progress';
  /** Statuses oldest first, as GitHub numbers them. */
  const statuses = (states: string) => (states ? states.split(' ') : []).map((state, i) => ({ id: 100 + i, state: state as State }));

  it.each([
    ['succeeded', 'in_progress success', true],
    ['succeeded, then made inactive by a newer deploy', 'in_progress success inactive', true],
    ['still in progress', 'in_progress', false],
    ['failed', 'in_progress failure', false],
    ['rolled back (error after success)', 'in_progress success error', false],
    ['no statuses', '', false],
  ])('%s (%s) → %s', (_what, states, expected) => {
    expect(passed(statuses(states))).toBe(expected);
  });

  it('the newest status is the highest id, whatever order they come in', () => {
    expect(passed([...statuses('in_progress success')].reverse())).toBe(true);
    expect(passed([...statuses('in_progress success error')].reverse())).toBe(false);
  });
});

describe('the gate', () => {
  it.each([
    ['staging', undefined, 'dev'],
    ['prod', 'dev', 'dev'],
  ])('%s (promote-from input %s) is gated on %s', (environment, promoteFrom, from) => {
    expect(gateFrom(on({ environment, promoteFrom }), planEnvironment(on({ environment, promoteFrom }), config))).toBe(from);
  });

  it.each([
    ['dev', undefined],
    ['prod', 'none'],
  ])('%s (promote-from %s) has nothing to be promoted from: refused', (environment, promoteFrom) => {
    let error: unknown;
    try {
      gateFrom(on({ environment, promoteFrom }), planEnvironment(on({ environment, promoteFrom }), config));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExpeditorError);
    expect(error).toMatchObject({
      message: `${environment} has no environment to be promoted from`,
      input: 'promote-from',
      unchanged: 'nothing was deployed',
      next: `set environments.${environment}.promote-from in .github/expeditor.yml, or give 'promote-from'`,
    });
  });
});

const digest = `sha256:${'4e'.repeat(32)}`;
const image = `123456789012.dkr.ecr.us-west-2.amazonaws.com/shop@${digest}`;
const runUrl = 'https://github.com/acme/shop/actions/runs/7512345678/attempts/1';
const sha = '3f9c2d81a0b4e5c6d7e8f90123456789abcdef01';

/** What a Deployment to prod says about the environment and the run. */
const prodWithRun = {
  app: 'shop',
  platform: 'eks',
  strategy: 'blue-green',
  logUrl: runUrl,
  environmentUrl: 'https://shop.acme.example',
  production: true,
};

describe('the Deployment a deploy starts', () => {
  it.each([
    ['prod, with the run and the environment url', 'prod', runUrl, { sha, environment: 'prod', image, digest, ...prodWithRun }],
    [
      'staging, no run url',
      'staging',
      undefined,
      { sha, environment: 'staging', image, digest, app: 'shop', platform: 'ecs', strategy: 'blue-green', production: false },
    ],
  ])('%s', (_what, environment, url, expected) => {
    expect(deployment(image, environment, sha, planEnvironment(on({ environment }), config), url)).toEqual(expected);
  });

  it.each([
    '123456789012.dkr.ecr.us-west-2.amazonaws.com/shop:3f9c2d81a0b4e5c6d7e8f90123456789abcdef01',
    '123456789012.dkr.ecr.us-west-2.amazonaws.com/shop:latest',
  ])('refuses an image by tag: %s', (byTag) => {
    expect(() => deployment(byTag, 'staging', sha, planEnvironment(on({}), config), runUrl)).toThrow(
      expect.objectContaining({ input: 'image', message: `input 'image': ${byTag} is not by digest (repository@sha256:…)` }),
    );
  });
});

function passedDeployment(id: number, imageDigest: string, commit: string): PassedDeployment {
  return {
    id,
    sha: commit,
    environment: 'prod',
    payload: { image: `123456789012.dkr.ecr.us-west-2.amazonaws.com/shop@${imageDigest}`, digest: imageDigest, expeditor: 1 },
    createdAt: '2025-03-14T09:00:00Z',
    url: `https://api.github.com/repos/acme/shop/deployments/${id}`,
    passedAt: '2025-03-14T09:12:41Z',
    environmentUrl: 'https://shop.acme.example',
  };
}
const current = passedDeployment(1884, digest, sha);
const previous = passedDeployment(1871, `sha256:${'9a'.repeat(32)}`, 'b2e4f6a8c0d1e3f5a7b9c1d3e5f7a9b1c3d5e7f9');

describe('the Deployment a rollback starts', () => {
  it('the previous image at its own commit, naming the one it replaces', () => {
    expect(rollbackDeployment('prod', current, previous, planEnvironment(on({ environment: 'prod' }), config), runUrl)).toEqual({
      sha: previous.sha,
      environment: 'prod',
      image: previous.payload.image,
      ...prodWithRun,
      description: 'rollback from deployment 1884',
      rollbackOf: 1884,
    });
  });
});

describe('finishStatus', () => {
  it.each<[RecordInputs['state'], string, string]>([
    ['success', 'success', 'deployed'],
    ['failure', 'failure', 'deploy failure'],
    ['error', 'error', 'deploy error'],
    ['cancelled', 'error', 'cancelled'],
    [undefined, 'error', 'deploy error'],
  ])('job status %s → %s (%s)', (state, recorded, description) => {
    expect(finishStatus(state)).toEqual({ state: recorded, description });
  });
});

describe('the step summary', () => {
  it.each([
    [
      'a gate',
      { mode: 'gate' as const, from: 'staging', to: 'prod', passed: current },
      [
        '### Promotion gate staging → prod: passed',
        `| **image** | ${current.payload.image} |`,
        `| **passed staging** | 2025-03-14T09:12:41Z (deployment 1884) |`,
        '| **staging** | [https://shop.acme.example](https://shop.acme.example) |',
      ],
    ],
    [
      'a start',
      {
        mode: 'start' as const,
        environment: 'prod',
        image,
        sha,
        plan: planEnvironment(on({ environment: 'prod' }), config),
        passed: current,
        deploymentId: 1902,
      },
      [
        '### Deployment to prod recorded',
        '| **platform** | eks, blue-green, ingress |',
        '| **promotion gate** | passed staging (deployment 1884) |',
        '| **GitHub Deployment** | 1902 |',
      ],
    ],
    [
      'a start without a gate',
      {
        mode: 'start' as const,
        environment: 'dev',
        image,
        sha,
        plan: planEnvironment(on({ environment: 'dev' }), config),
        passed: undefined,
        deploymentId: 1903,
      },
      ['| **promotion gate** | none (no promote-from) |'],
    ],
    [
      'a rollback',
      { mode: 'rollback' as const, environment: 'prod', current, previous, deploymentId: 1905 },
      [
        '### Rollback of prod recorded',
        `| **from** | ${current.payload.image} (deployment 1884) |`,
        `| **to** | ${previous.payload.image} (deployment 1871, commit ${previous.sha}) |`,
      ],
    ],
  ])('%s', (_what, report, lines) => {
    const md = recordSummary(report)?.toMarkdown() ?? '';
    for (const line of lines) expect(md).toContain(line);
  });

  it('a finish writes none', () => {
    expect(recordSummary({ mode: 'finish' })).toBeUndefined();
  });
});

describe('check: a dispatched environment name against the environment file', () => {
  it("gives the environment's platform and strategy", () => {
    const c = on({ mode: 'check', environment: 'prod' });
    expect(check(c, config, planEnvironment(c, config))).toMatchObject({ platform: 'eks', strategy: 'blue-green', route: 'ingress' });
  });

  it.each(['prood', 'constructor', 'toString'])('refuses %s, listing the environments there are', (name) => {
    const c = on({ mode: 'check', environment: name });
    const error = (() => {
      try {
        planEnvironment(c, config);
      } catch (e) {
        return e as ExpeditorError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error.input).toBe('environment');
    expect(error.message).toBe(`environment "${name}" is not in .github/expeditor.yml (have: dev, staging, prod)`);
  });

  it('refuses when there is no environment file to check against', () => {
    const c = on({ mode: 'check', environment: 'prod' });
    expect(() => check(c, undefined, planEnvironment(c, undefined))).toThrow(/environment file \.github\/expeditor\.yml does not exist/);
  });
});

describe('apps: the app and the names a dispatch gives, against the environment file', () => {
  it("outputs the file's app, which an app input must match", () => {
    const c = on({ mode: 'check', environment: 'prod', app: 'shop' });
    expect(check(c, config, planEnvironment(c, config))).toMatchObject({ app: 'shop' });
    const error = thrownError(() => planEnvironment(on({ mode: 'check', environment: 'prod', app: 'cart' }), config));
    expect(error.input).toBe('app');
    expect(error.message).toBe("input 'app' is cart but .github/expeditor.yml is the environment file of shop");
  });

  it('without a file, the app input is the app the records are scoped to', () => {
    expect(planEnvironment(on({ app: 'cart', platform: 'ecs' }), undefined).app).toBe('cart');
    expect(planEnvironment(on({ platform: 'ecs' }), undefined).app).toBeUndefined();
  });

  it.each(['stagin', 'constructor'])('refuses promote-from %s, which the file lacks', (name) => {
    const error = thrownError(() => planEnvironment(on({ mode: 'gate', environment: 'prod', promoteFrom: name }), config));
    expect(error.input).toBe('promote-from');
    expect(error.message).toBe(`environment "${name}" is not in .github/expeditor.yml (have: dev, staging, prod)`);
  });
});
