// Every environment file in examples/ as the actions take it: parsed by parseConfig (the schema
// and the rules it cannot express), then each environment planned the way deploy.yml runs it —
// deployment-record's platform, assume-env's plan, deploy-ecs or deploy-eks planned from the same
// inputs, and for EKS the switch planned with the target color — all without a network call. An
// example the runtime would refuse fails here, naming the environment and the refusal.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import { parseConfig } from '../../packages/shared/src/config.ts';
import { formatFailure } from '../../packages/shared/src/errors.ts';
import { readAssumeEnvInputs } from '../../actions/assume-env/src/inputs.ts';
import { planAssume } from '../../actions/assume-env/src/plan.ts';
import { readDeployEcsInputs } from '../../actions/deploy-ecs/src/inputs.ts';
import { planDeployEcs } from '../../actions/deploy-ecs/src/plan.ts';
import { readDeployEksInputs } from '../../actions/deploy-eks/src/inputs.ts';
import { planDeployEks } from '../../actions/deploy-eks/src/plan.ts';
import { readSwitchInputs, resolvePlatform } from '../../actions/bluegreen-switch/src/inputs.ts';
import { readEksSwitchInputs } from '../../actions/bluegreen-switch/src/eks/inputs.ts';
import { planEksSwitch } from '../../actions/bluegreen-switch/src/eks/plan.ts';

const root = resolve(import.meta.dirname, '../..');
const examples = join(root, 'examples');
const scratch = mkdtempSync(join(tmpdir(), 'examples-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every YAML file under examples/ that is an environment file (has `environments:`). */
function environmentFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return environmentFiles(path);
    return /\.ya?ml$/.test(name) && /^environments:/m.test(readFileSync(path, 'utf8')) ? [path] : [];
  });
}

const sha = '9f2c4e1a7b3d5f60718293a4b5c6d7e8f9012345';
const github = { repository: 'acme/shop', runId: '1', runAttempt: '1', workflow: 'delivery', sha, actor: 'octocat' };
const runUrl = 'https://github.com/acme/shop/actions/runs/1';

/** The failure as the action would print it, so a broken example says why. */
async function attempt(what: string, f: () => unknown): Promise<void> {
  try {
    await f();
  } catch (error) {
    throw new Error(`${what}: ${error instanceof Error ? formatFailure(error) : String(error)}`);
  }
}

const files = environmentFiles(examples);

describe('the examples as shipped', () => {
  it('examples/ has environment files', () => {
    expect(files.map((f) => relative(root, f))).toContain('examples/expeditor.yml');
  });

  for (const file of files) {
    const name = relative(root, file);
    const config = parseConfig(readFileSync(file, 'utf8'), name);
    const image = `${config.image?.repository ?? '123456789012.dkr.ecr.us-west-2.amazonaws.com/app'}@sha256:${'a'.repeat(64)}`;
    // The consumer's workspace: the example as .github/expeditor.yml, the app beside it.
    const workspace = join(scratch, name.replace(/\W+/g, '-'));
    mkdirSync(join(workspace, '.github'), { recursive: true });
    cpSync(file, join(workspace, '.github/expeditor.yml'));

    for (const environment of Object.keys(config.environments)) {
      it(`${name}: ${environment} is planned by every action deploy.yml runs, without a refusal`, async () => {
        const given = { environment, config: '.github/expeditor.yml' };
        const inputs = (values: Record<string, string>) => new ActionInputs(inputEnv(values));
        await attempt('assume-env', () => planAssume(readAssumeEnvInputs(inputs(given)), { workspace, ...github }));
        const platform = await resolvePlatform(readSwitchInputs(inputs(given)), workspace);
        if (platform === 'ecs') {
          await attempt('deploy-ecs', () =>
            planDeployEcs(readDeployEcsInputs(inputs({ ...given, image, 'require-digest': 'true' })), { workspace, sha, runUrl }),
          );
          return;
        }
        const runner = { kubeconfig: undefined, awsRegion: undefined, stsEndpoint: undefined };
        await attempt('deploy-eks', () =>
          planDeployEks(readDeployEksInputs(inputs({ ...given, image, 'require-digest': 'true' })), { workspace, sha, runUrl, runner }),
        );
        const switchInputs = { ...given, platform: 'eks', 'target-color': 'green' };
        await attempt('bluegreen-switch', () =>
          planEksSwitch({ action: 'switch', environment, config: given.config }, readEksSwitchInputs(inputs(switchInputs), {}), {
            workspace,
            sha,
            runUrl,
          }),
        );
      });
    }
  }

  it('the check bites: the example as it was (EKS environments without services) is refused by deploy-eks', async () => {
    const workspace = join(scratch, 'old');
    mkdirSync(join(workspace, '.github'), { recursive: true });
    const old = readFileSync(join(examples, 'expeditor.yml'), 'utf8').replace(/, services: \[demo-app\]/g, '');
    writeFileSync(join(workspace, '.github/expeditor.yml'), old);
    const inputs = new ActionInputs(
      inputEnv({
        environment: 'staging',
        config: '.github/expeditor.yml',
        image: `x.dkr.ecr.us-west-2.amazonaws.com/a@sha256:${'a'.repeat(64)}`,
      }),
    );
    const runner = { kubeconfig: undefined, awsRegion: undefined, stsEndpoint: undefined };
    await expect(
      attempt('deploy-eks', () => planDeployEks(readDeployEksInputs(inputs), { workspace, sha, runUrl, runner })),
    ).rejects.toThrow(/deploy-eks: .*no service to deploy/);
  });
});
