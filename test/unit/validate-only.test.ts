// validate-only on deploy-ecs, deploy-eks and bluegreen-switch: the deploy's (the switch's) own
// plan (inputs × environment file × local files), a "validated" step summary, and nothing sent — no socket is opened, with an AWS
// endpoint on a closed port and no credentials. A config the deploy refuses is refused with the
// same error, before the deploy would make its first call.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import { formatFailure } from '../../packages/shared/src/errors.ts';
import type { GitHubContext } from '../../packages/shared/src/context.ts';
import type { Log } from '../../packages/shared/src/log.ts';
import { readDeployEcsInputs } from '../../actions/deploy-ecs/src/inputs.ts';
import { runDeployEcs } from '../../actions/deploy-ecs/src/action.ts';
import { runDeployEcsStep } from '../../actions/deploy-ecs/src/step.ts';
import { readDeployEksInputs } from '../../actions/deploy-eks/src/inputs.ts';
import { runDeployEks, runDeployEksStep } from '../../actions/deploy-eks/src/action.ts';
import { readSwitchInputs } from '../../actions/bluegreen-switch/src/inputs.ts';
import { readEksSwitchInputs } from '../../actions/bluegreen-switch/src/eks/inputs.ts';
import { readEcsSwitchInputs } from '../../actions/bluegreen-switch/src/ecs/inputs.ts';
import { runEksSwitch } from '../../actions/bluegreen-switch/src/eks/action.ts';
import { runEcsSwitch } from '../../actions/bluegreen-switch/src/ecs/action.ts';
import { validateEcsSwitch, validateEksSwitch } from '../../actions/bluegreen-switch/src/validate.ts';

const ecr = '123456789012.dkr.ecr.us-west-2.amazonaws.com';
const image = `${ecr}/shop@sha256:${'a'.repeat(64)}`;
const aws = (n: string) => `aws: { account: "${n.repeat(12)}", region: us-west-2, role: "arn:aws:iam::${n.repeat(12)}:role/deploy" }`;
/** A Prometheus check of the error rate of the color under test, at each canary step and after the switch. */
function check(limits: string): string {
  return `{ name: errors, provider: prometheus, address: "http://prometheus.monitoring:9090", query: 'sum(rate(http_errors{color="{{color}}"}[1m]))', success: "result < 1", at: [step, post], ${limits} }`;
}
const environmentFile = `app: shop
image: { repository: ${ecr}/shop }
environments:
  dev:
    ${aws('1')}
    ecs: { cluster: dev, service: shop, strategy: rolling, container: web, task-definition: ecs/task-definition.json }
    vars: { LOG_LEVEL: debug }
  qa:
    ${aws('1')}
    ecs: { cluster: qa, service: shop, container: api, task-definition: ecs/task-definition.json }
  staging:
    ${aws('1')}
    ecs: { cluster: staging, service: shop, task-definition: ecs/missing.json }
  prod:
    ${aws('2')}
    eks: { cluster: shop-prod, namespace: prod, services: [shop] }
  prod-eu:
    ${aws('2')}
    eks: { cluster: shop-prod-eu, namespace: prod, services: [{ name: shop, preview-service: shop }] }
  canary:
    ${aws('2')}
    eks: { cluster: shop-prod, namespace: prod, route: ingress, ingress: shop, services: [shop], canary: [10, 50, 100] }
    analysis: { checks: [${check('count: 3, interval: 10s')}] }
  canary-slow:
    ${aws('2')}
    eks: { cluster: shop-prod, namespace: prod, route: ingress, ingress: shop, services: [shop], canary: [10, 50, 100] }
    analysis: { checks: [${check('count: 20, interval: 1m')}] }
  canary-typo:
    ${aws('2')}
    eks: { cluster: shop-prod, namespace: prod, route: ingress, ingress: shop, services: [shop], canary: [10, 50, 100] }
    analysis: { checks: [${check('count: 3, interval: 10s').replace('result < 1', 'result <')}] }
  codedeploy:
    ${aws('1')}
    ecs: { cluster: prod, service: shop, strategy: blue-green }
    analysis: { checks: [{ name: alarms, provider: cloudwatch-alarm, alarms: ["shop-5xx"], at: [pre, post], count: 4, interval: 2m }] }
`;
const taskDefinition = JSON.stringify({
  family: 'shop',
  containerDefinitions: [{ name: 'web', image: 'placeholder', memory: 512 }],
});

const root = mkdtempSync(join(tmpdir(), 'validate-only-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const workspace = join(root, 'workspace');
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(workspace, path)), { recursive: true });
  writeFileSync(join(workspace, path), text);
};
write('.github/expeditor.yml', environmentFile);
write('ecs/task-definition.json', taskDefinition);

let summaryPath: string;
let n = 0;
const github = (): GitHubContext => ({
  sha: '9f2c4e1a7b3d5f60718293a4b5c6d7e8f9012345',
  ref: 'refs/heads/main',
  repository: 'acme/shop',
  runId: '1',
  runAttempt: '1',
  serverUrl: 'https://github.com',
  workspace,
  eventName: 'workflow_call',
  actor: 'octocat',
  workflow: 'deploy',
  runUrl: 'https://github.com/acme/shop/actions/runs/1',
  stepSummaryPath: summaryPath,
  oidc: undefined,
  isAct: false,
});
const lines: string[] = [];
const log: Log = {
  info: (line) => void lines.push(line),
  debug: () => {},
  warning: (message) => void lines.push(`warning: ${message}`),
  error: (message) => void lines.push(`error: ${message}`),
  group: (_name, fn) => fn(),
  mask: () => {},
};
const run = () => ({ log, signal: new AbortController().signal });
const runner = { kubeconfig: undefined, awsRegion: undefined, stsEndpoint: undefined };
const inputs = (values: Record<string, string>) => new ActionInputs(inputEnv({ image, config: '.github/expeditor.yml', ...values }));
const ecsInputs = (values: Record<string, string>) => readDeployEcsInputs(inputs(values));
const eksInputs = (values: Record<string, string>) => readDeployEksInputs(inputs(values));

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => expect.unreachable('expected a refusal'),
    (e: unknown) => e,
  );
  return formatFailure(error as Error);
}

// Nothing may leave: every TCP/TLS connection (the SDK's, fetch's, client-node's) goes through
// Socket#connect. The endpoint is a closed port and there are no credentials, so a call would fail.
let connect: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  summaryPath = join(root, `summary-${++n}.md`);
  writeFileSync(summaryPath, '');
  lines.length = 0;
  vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:9');
  vi.stubEnv('AWS_ACCESS_KEY_ID', '');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
  vi.stubEnv('KUBECONFIG', '');
  connect = vi.spyOn(Socket.prototype, 'connect');
});
afterEach(() => {
  expect(connect).not.toHaveBeenCalled();
  connect.mockRestore();
  vi.unstubAllEnvs();
});

describe('deploy-ecs validate-only', () => {
  it('is false unless given', () => {
    expect(ecsInputs({ environment: 'dev' }).validateOnly).toBe(false);
    expect(ecsInputs({ environment: 'dev', 'validate-only': 'true' }).validateOnly).toBe(true);
  });

  it('plans, renders the task definition file and writes "validated" with the settings, sending nothing', async () => {
    const result = await runDeployEcsStep(
      ecsInputs({ environment: 'dev', 'validate-only': 'true', 'require-digest': 'true' }),
      github(),
      run(),
    );
    expect(result).toMatchObject({ validated: true, plan: { cluster: 'dev', service: 'shop', strategy: 'rolling' } });
    const summary = readFileSync(summaryPath, 'utf8');
    expect(summary).toContain('deploy-ecs validated — dev: dev/shop');
    expect(summary).toContain('ecs/task-definition.json (family shop)');
    expect(summary).toMatch(/\| cluster \| dev \| environments\.dev\.ecs\.cluster \|/);
    expect(summary).toContain('nothing was sent, no output is set');
    expect(lines).toContain(`container web: image placeholder → ${image}`);
    expect(lines.some((l) => l.startsWith('validated: dev: dev/shop'))).toBe(true);
  });

  it('refuses a task definition file the environment names but the workspace lacks, with the error the deploy gives', async () => {
    const validated = await failure(runDeployEcsStep(ecsInputs({ environment: 'staging', 'validate-only': 'true' }), github(), run()));
    const deployed = await failure(runDeployEcs(ecsInputs({ environment: 'staging' }), github(), run()));
    expect(validated).toContain('ecs/missing.json');
    expect(validated).toBe(deployed);
  });

  it('refuses a container the task definition file does not have (the deploy renders the same file after reading the service)', async () => {
    const validated = await failure(runDeployEcsStep(ecsInputs({ environment: 'qa', 'validate-only': 'true' }), github(), run()));
    expect(validated).toMatch(/\bapi\b/);
    expect(validated).toContain('environments.qa.ecs.container');
  });

  it("without an image (rollback.yml's check: the image is read when the rollback runs), checks the files and leaves the rendering to the deploy", async () => {
    const noImage = (values: Record<string, string>) =>
      readDeployEcsInputs(new ActionInputs(inputEnv({ config: '.github/expeditor.yml', 'require-digest': 'true', ...values })));
    const result = await runDeployEcsStep(noImage({ environment: 'dev', 'validate-only': 'true' }), github(), run());
    expect(result).toMatchObject({ validated: true, plan: { cluster: 'dev', service: 'shop', image: '' } });
    expect(readFileSync(summaryPath, 'utf8')).toContain('not given: the task definition is rendered with it at deploy');
    expect(lines.some((l) => l.startsWith('container web: image'))).toBe(false);
    // The files are still read and checked as the deploy reads them.
    const missing = await failure(runDeployEcsStep(noImage({ environment: 'staging', 'validate-only': 'true' }), github(), run()));
    expect(missing).toContain('ecs/missing.json');
    // Only validate-only goes without one.
    expect(() => noImage({ environment: 'dev' })).toThrow("input 'image': is required");
  });

  it('refuses an EKS environment as the deploy does', async () => {
    const validated = await failure(runDeployEcsStep(ecsInputs({ environment: 'prod', 'validate-only': 'true' }), github(), run()));
    expect(validated).toBe(await failure(runDeployEcs(ecsInputs({ environment: 'prod' }), github(), run())));
    expect(validated).toContain('use deploy-eks');
  });
});

describe('deploy-eks validate-only', () => {
  it('plans the services, the namespace and the connection, and writes "validated", sending nothing', async () => {
    const result = await runDeployEksStep(eksInputs({ environment: 'prod', 'validate-only': 'true' }), github(), runner, run());
    expect(result).toMatchObject({ validated: true, plan: { services: ['shop'], namespace: 'prod', strategy: 'blue-green' } });
    const summary = readFileSync(summaryPath, 'utf8');
    expect(summary).toContain('deploy-eks validated — prod: EKS cluster shop-prod');
    expect(summary).toContain('nothing was sent, no output is set');
    expect(summary).toMatch(/\| namespace \| prod \| environments\.prod\.eks\.namespace \|/);
  });

  it('does not resolve an image by tag (a registry request): it warns as the deploy does', async () => {
    await runDeployEksStep(eksInputs({ environment: 'prod', image: `${ecr}/shop:v1`, 'validate-only': 'true' }), github(), runner, run());
    expect(lines.some((l) => l.startsWith(`warning: the image ${ecr}/shop:v1 is given by tag`))).toBe(true);
    expect(readFileSync(summaryPath, 'utf8')).toContain('images by tag not resolved');
  });

  it('refuses Service names that collide in eks.services, with the error the deploy gives', async () => {
    const validated = await failure(
      runDeployEksStep(eksInputs({ environment: 'prod-eu', 'validate-only': 'true' }), github(), runner, run()),
    );
    const deployed = await failure(runDeployEks(eksInputs({ environment: 'prod-eu' }), github(), runner, run()));
    expect(validated).toContain("shop cannot be shop's preview Service");
    expect(validated).toBe(deployed);
  });

  it('refuses an ECS environment as the deploy does', async () => {
    const validated = await failure(runDeployEksStep(eksInputs({ environment: 'dev', 'validate-only': 'true' }), github(), runner, run()));
    expect(validated).toBe(await failure(runDeployEks(eksInputs({ environment: 'dev' }), github(), runner, run())));
    expect(validated).toContain('use deploy-ecs');
  });
});

describe('bluegreen-switch validate-only', () => {
  const switchInputs = (values: Record<string, string>) => new ActionInputs(inputEnv({ config: '.github/expeditor.yml', ...values }));
  const eks = (values: Record<string, string>) => {
    const all = switchInputs(values);
    return { common: readSwitchInputs(all), inputs: readEksSwitchInputs(all, {}) };
  };
  const ecs = (values: Record<string, string>) => {
    const all = switchInputs(values);
    return { common: readSwitchInputs(all), inputs: readEcsSwitchInputs(all) };
  };
  const switchRun = () => ({ log, signal: new AbortController().signal, startedAt: Date.now() });

  it('is false unless given', () => {
    expect(readSwitchInputs(switchInputs({ environment: 'canary' })).validateOnly).toBe(false);
    expect(readSwitchInputs(switchInputs({ environment: 'canary', 'validate-only': 'true' })).validateOnly).toBe(true);
  });

  it("plans an Ingress canary with its analysis and writes 'validated' with the steps, checks and settings, sending nothing", () => {
    const { common, inputs } = eks({ environment: 'canary', 'validate-only': 'true', 'step-pause': '5s', 'target-color': 'green' });
    const result = validateEksSwitch(common, inputs, github(), run());
    expect(result).toMatchObject({ validated: true, platform: 'eks', plan: { options: { route: 'ingress', canary: [10, 50, 100] } } });
    const summary = readFileSync(summaryPath, 'utf8');
    expect(summary).toContain('bluegreen-switch validated — canary: switch (EKS)');
    expect(summary).toContain('10, 50, 100, 5.0 s between steps');
    expect(summary).toContain('errors (prometheus, step/post)');
    expect(summary).toMatch(/\| canary \| 10, 50, 100 \| environments\.canary\.eks\.canary \|/);
    expect(summary).toContain('nothing was sent, no output is set');
    expect(lines.some((l) => l.startsWith('validated: canary: switch (EKS)'))).toBe(true);
  });

  it('refuses a check condition the environment file gets wrong, with the error the switch gives', async () => {
    const { common, inputs } = eks({ environment: 'canary-typo', 'validate-only': 'true' });
    const validated = await failure(Promise.resolve().then(() => validateEksSwitch(common, inputs, github(), run())));
    const switched = await failure(runEksSwitch(common, eks({ environment: 'canary-typo' }).inputs, github(), switchRun()));
    expect(validated).toContain('environments.canary-typo.analysis.checks.0.success');
    expect(validated).toBe(switched);
  });

  it('refuses a probe URL without canary steps (deploy.yml passes its probe-url to every switch), as the switch does', async () => {
    const values = { environment: 'prod', 'probe-url': 'https://shop.example/healthz' };
    const { common, inputs } = eks({ ...values, 'validate-only': 'true' });
    const validated = await failure(Promise.resolve().then(() => validateEksSwitch(common, inputs, github(), run())));
    expect(validated).toContain("input 'probe-url': is only used between canary steps");
    expect(validated).toBe(await failure(runEksSwitch(common, eks(values).inputs, github(), switchRun())));
  });

  it("refuses analysis windows the timeout cannot hold (checked by the switch only once the new color is up), naming 'timeout'", async () => {
    const { common, inputs } = eks({ environment: 'canary-slow', 'validate-only': 'true' });
    const validated = await failure(Promise.resolve().then(() => validateEksSwitch(common, inputs, github(), run())));
    // 3 steps × (19m window + 30s pause) + 19m post; the timeout is 10m.
    expect(validated).toContain(
      "the analysis needs at least 1 h 17 min (its windows: count × interval at each moment), but the run's timeout leaves 10 min",
    );
    expect(validated).toContain("raise the 'timeout' input");
    const { common: longer } = eks({ environment: 'canary-slow', 'validate-only': 'true', timeout: '2h' });
    expect(validateEksSwitch(longer, inputs, github(), run())).toMatchObject({ validated: true });
  });

  it('ECS: plans the CodeDeploy group and the checks; the windows and a bad analysis input are refused as the switch refuses them', async () => {
    const { common, inputs } = ecs({ environment: 'codedeploy', 'validate-only': 'true', timeout: '30m' });
    expect(validateEcsSwitch(common, inputs, github(), run())).toMatchObject({ validated: true, platform: 'ecs' });
    const summary = readFileSync(summaryPath, 'utf8');
    expect(summary).toContain('bluegreen-switch validated — codedeploy: switch (ECS)');
    expect(summary).toContain('newest fitting deployment of AppECS-prod-shop/DgpECS-prod-shop');
    expect(summary).toContain('alarms (cloudwatch-alarm, pre/post)');
    // 6m pre + 6m post do not fit in the default 10m.
    const short = ecs({ environment: 'codedeploy', 'validate-only': 'true' });
    expect(await failure(Promise.resolve().then(() => validateEcsSwitch(short.common, short.inputs, github(), run())))).toContain(
      "the analysis needs at least 12 min (its windows: count × interval at each moment), but the run's timeout leaves 10 min",
    );
    const analysis = 'checks: [{ name: up, provider: http, url: "https://shop.example", success: "result =! 200" }]';
    const bad = ecs({ environment: 'codedeploy', analysis, 'validate-only': 'true', timeout: '30m' });
    const validated = await failure(Promise.resolve().then(() => validateEcsSwitch(bad.common, bad.inputs, github(), run())));
    const switched = await failure(runEcsSwitch(bad.common, ecs({ environment: 'codedeploy', analysis }).inputs, github(), switchRun()));
    expect(validated).toContain("input 'analysis'");
    expect(validated).toBe(switched);
  });
});
