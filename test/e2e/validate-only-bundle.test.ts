// The deploy-ecs, deploy-eks and bluegreen-switch bundles with validate-only, run as the runner
// runs them, as deploy.yml's check job runs them: no AWS credentials, every AWS endpoint on a server that counts
// requests, no kubeconfig. Every environment of the shipped example passes; a config mistake is
// refused with the deploy's error; nothing is sent either way and no output is set. And the local
// check docs/getting-started.md gives, run as written (the clone replaced by this checkout).
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingServer, jobWorkspace, noAmbientAws, root, runBundle, type CountingServer } from './bundle-run.ts';

const example = join(root, 'examples/expeditor.yml');
const environments = parse(readFileSync(example, 'utf8')) as {
  image: { repository: string };
  environments: Record<string, { ecs?: unknown; eks?: unknown }>;
};
const image = `${environments.image.repository}@sha256:${'a'.repeat(64)}`;

let aws: CountingServer;
beforeAll(async () => {
  aws = await countingServer();
});
afterAll(() => aws.close());

/** The bundle as the check job runs it: deploy.yml's inputs, validate-only, no credentials. */
function validate(action: 'deploy-ecs' | 'deploy-eks', ws: string, environment: string) {
  return runBundle(
    action,
    { image, environment, config: '.github/expeditor.yml', 'require-digest': 'true', 'validate-only': 'true' },
    { ...noAmbientAws(ws), AWS_ENDPOINT_URL: aws.endpoint, AWS_REGION: 'us-west-2', GITHUB_SHA: 'b'.repeat(40) },
    { workspace: ws },
  );
}

describe('validate-only bundles, nothing reachable', () => {
  for (const [environment, config] of Object.entries(environments.environments)) {
    const action = config.ecs ? 'deploy-ecs' : 'deploy-eks';
    it(`examples/expeditor.yml, ${environment}: ${action} validates it with no request and no output`, async () => {
      const ws = jobWorkspace();
      cpSync(example, join(ws, '.github/expeditor.yml'));
      const run = await validate(action, ws, environment);
      expect(run.log).not.toMatch(/::error/);
      expect(run.status).toBe(0);
      expect(run.summary).toContain(`${action} validated — ${environment}: `);
      expect(run.summary).toContain('### Settings');
      expect(run.stdout).toContain('validated: ');
      expect(run.outputs).toEqual({});
      expect(aws.requests()).toBe(0);
    });
  }

  it("a prod mistake (a preview Service named as the stable one) fails with deploy-eks's error, nothing sent", async () => {
    const ws = jobWorkspace();
    const broken = readFileSync(example, 'utf8').replace(
      'services: [demo-app], canary',
      'services: [{ name: demo-app, preview-service: demo-app }], canary',
    );
    expect(broken).not.toBe(readFileSync(example, 'utf8'));
    writeFileSync(join(ws, '.github/expeditor.yml'), broken);
    const run = await validate('deploy-eks', ws, 'prod');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      "environments.prod.eks.services.0.preview-service: demo-app cannot be demo-app's preview Service: it is also its stable Service",
    );
    expect(run.outputs).toEqual({});
    expect(aws.requests()).toBe(0);
  });
});

describe('bluegreen-switch validate-only bundle, nothing reachable', () => {
  const analysis = (success: string) =>
    `    analysis: { checks: [{ name: errors, provider: prometheus, address: "http://127.0.0.1:9", query: 'sum(rate(http_errors{color="{{color}}"}[1m]))', success: "${success}", at: [step, post] }] }\n`;
  /** The example with an analysis section in prod (after its eks line). */
  const withAnalysis = (success: string) => {
    const text = readFileSync(example, 'utf8');
    const changed = text.replace(/(canary: \[10, 50, 100\] \}\n)/, `$1${analysis(success)}`);
    expect(changed).not.toBe(text);
    return changed;
  };
  /** The bundle as deploy.yml's check job runs it (the switch's inputs), or as its approve job runs it. */
  function runSwitch(ws: string, environment: string, extra: Record<string, string>) {
    return runBundle(
      'bluegreen-switch',
      { environment, config: '.github/expeditor.yml', 'step-pause': '30s', ...extra },
      { ...noAmbientAws(ws), AWS_ENDPOINT_URL: aws.endpoint, AWS_REGION: 'us-west-2', KUBECONFIG: '', GITHUB_SHA: 'b'.repeat(40) },
      { workspace: ws },
    );
  }

  for (const environment of ['staging', 'prod']) {
    it(`examples/expeditor.yml, ${environment}: the switch's plan is validated with no request and no output`, async () => {
      const ws = jobWorkspace(withAnalysis('result < 1'));
      const run = await runSwitch(ws, environment, { platform: 'eks', 'validate-only': 'true' });
      expect(run.log).not.toMatch(/::error/);
      expect(run.status).toBe(0);
      expect(run.summary).toContain(`bluegreen-switch validated — ${environment}: switch (EKS)`);
      if (environment === 'prod') expect(run.summary).toContain('errors (prometheus, step/post)');
      expect(run.outputs).toEqual({});
      expect(aws.requests()).toBe(0);
    });
  }

  it("a condition prod's analysis gets wrong fails with the error the switch gives, before the switch would connect", async () => {
    const ws = jobWorkspace(withAnalysis('result <'));
    const validated = await runSwitch(ws, 'prod', { platform: 'eks', 'validate-only': 'true' });
    const line = /::error title=environments\.prod\.analysis\.checks\.0\.success::.*/.exec(validated.stdout)?.[0];
    expect(validated.status).toBe(1);
    expect(line).toContain('"result <"');
    expect(aws.requests()).toBe(0);
    // The switch itself (the approve job's step) refuses with the same line, also before any request.
    const switched = await runSwitch(ws, 'prod', { platform: 'eks' });
    expect(switched.status).toBe(1);
    expect(/::error title=environments\.prod\.analysis\.checks\.0\.success::.*/.exec(switched.stdout)?.[0]).toBe(line);
    expect(validated.outputs).toEqual({});
    expect(aws.requests()).toBe(0);
  });
});

describe("docs/getting-started.md's local check", () => {
  const doc = readFileSync(join(root, 'docs/getting-started.md'), 'utf8');
  const blocks = /### Check it locally[\s\S]*?```sh\n([\s\S]*?)```[\s\S]*?```sh\n([\s\S]*?)```/.exec(doc);
  const block = blocks?.[1] ?? '';
  /** The snippet in a repository holding `config` as .github/expeditor.yml, with this checkout as the release. */
  const runSnippet = (config: string, snippet = block) => {
    const ws = jobWorkspace(config);
    const script = `export EXPEDITOR=~/expeditor\n${snippet}`
      .split('\n')
      .filter((line) => !line.startsWith('git clone'))
      .join('\n')
      .replaceAll('export EXPEDITOR=~/expeditor', `export EXPEDITOR='${root}'`);
    return spawnSync('bash', ['-c', script], {
      cwd: ws,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: ws, ...noAmbientAws(ws), AWS_ENDPOINT_URL: aws.endpoint },
    });
  };

  it('validates every environment of the example as written, sending nothing', () => {
    expect(block).toContain('INPUT_VALIDATE-ONLY=true');
    const run = runSnippet(readFileSync(example, 'utf8'));
    expect(run.stdout + run.stderr).not.toMatch(/::error/);
    expect(run.status).toBe(0);
    expect(run.stdout.match(/^validated: (\w+):/gm)).toEqual(['validated: dev:', 'validated: staging:', 'validated: prod:']);
    expect(aws.requests()).toBe(0);
  });

  it('exits 1 on a config mistake (a task definition file the repository lacks), naming the key', () => {
    const text = readFileSync(example, 'utf8');
    const broken = text.replace('strategy: rolling }', 'strategy: rolling, task-definition: ecs/nope.json }');
    expect(broken).not.toBe(text);
    const run = runSnippet(broken);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/::error title=environments\.dev\.ecs\.task-definition::.*nope\.json/);
  });

  it("the switch's check as written: prod's canary validated, sending nothing", () => {
    const snippet = blocks?.[2] ?? '';
    expect(snippet).toContain('bluegreen-switch/dist/index.js');
    const run = runSnippet(readFileSync(example, 'utf8'), snippet);
    expect(run.stdout + run.stderr).not.toMatch(/::error/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^validated: prod: switch \(EKS\)/m);
    expect(aws.requests()).toBe(0);
  });
});
