// validate-only on deploy-ecs and deploy-eks: the deploy's own plan (inputs × environment file ×
// local files), a "validated" step summary, and nothing sent — no socket is opened, with an AWS
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

const ecr = '123456789012.dkr.ecr.us-west-2.amazonaws.com';
const image = `${ecr}/shop@sha256:${'a'.repeat(64)}`;
const aws = (n: string) => `aws: { account: "${n.repeat(12)}", region: us-west-2, role: "arn:aws:iam::${n.repeat(12)}:role/deploy" }`;
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
