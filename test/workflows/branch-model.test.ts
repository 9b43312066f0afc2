// The branch model of the shipped example (examples/workflows/delivery.yml, pointed at the bed)
// under act: a push to develop builds and deploys to dev; a merge of it to main, no-ff or squash,
// builds nothing (build-image finds the image of the same inputs and tags it with the merge
// commit), and staging's promotion gate passes by that digest, then prod; a merge whose context
// differs from what ran in dev gets an image of its own, which the gate refuses, saying what to do. dev ECS rolling, staging ECS rolling (its own account), prod ECS CodeDeploy.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { beforeAll, describe, expect, test } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import { rollingService } from '../e2e/deploy-ecs-bed.ts';
import { root } from '../e2e/bundle-run.ts';
import { consumerRepo, expeditorRelease, git } from './act.ts';
import { builtImage, runWorkflow, show } from './consumer-workflows.ts';
import { ACCOUNTS, deployRole, setUpDemo } from './demo.ts';

const bed = useBed(['oidc', 'moto', 'registry', 'github']);
let release = '';
let repo = '';
const where: Record<'dev' | 'staging' | 'prod', { account: string; cluster: string; service: string }> = {} as never;
const delivery = () => runWorkflow({ repo, release, bed }, 'delivery');

async function serviceImage(env: keyof typeof where): Promise<string | undefined> {
  const { account, cluster, service } = where[env];
  const ecs = new ECSClient(bed.moto.clientConfig(account));
  const svc = (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!;
  const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition! }));
  return td.taskDefinition!.containerDefinitions![0]?.image;
}

/** The shipped example, its build pointed at the bed: Expeditor @v1, the app in app/ on the bed's base image, no registry role. */
function exampleDelivery(): string {
  const text = readFileSync(join(root, 'examples/workflows/delivery.yml'), 'utf8').replace(
    /(ORG\/expeditor\/\.github\/workflows\/\w+\.yml)@[0-9a-f]{40}.*$/gm,
    '$1@v1',
  );
  const build = /( {4}with:\n {6}role-arn: .*\n {6}region: .*\n)/;
  if (!build.test(text)) throw new Error('examples/workflows/delivery.yml: the build job no longer has role-arn and region');
  return text.replace(build, `    with:\n      context: app\n      build-args: |\n        BASE=${bed.registry.baseImage}\n`);
}

beforeAll(async () => {
  const demo = await setUpDemo(bed);
  const stagingRole = await deployRole(bed, ACCOUNTS.staging);
  const staging = await rollingService(bed.moto, { account: ACCOUNTS.staging, desired: 1, image: `${demo.repository}:bootstrap` });
  where.dev = { account: ACCOUNTS.dev, ...demo.dev };
  where.staging = { account: ACCOUNTS.staging, cluster: staging.cluster, service: staging.service };
  where.prod = { account: ACCOUNTS.prod, cluster: demo.prod.cluster, service: demo.prod.service };
  // The demo's dev and prod, with staging (ECS rolling) between them: prod is promoted from staging.
  const stagingBlock = [
    '  staging:',
    `    aws: { account: "${ACCOUNTS.staging}", region: ${bed.moto.region}, role: "${stagingRole}" }`,
    `    ecs: { cluster: ${staging.cluster}, service: ${staging.service}, strategy: rolling, container: app }`,
    '    promote-from: dev',
    '',
  ].join('\n');
  const config = demo.config
    .replace('  prod:\n', `${stagingBlock}  prod:\n`)
    .replace(/( {4}promote-from: )dev\n( {4}url: https)/, '$1staging\n$2');
  if (!config.includes('promote-from: staging')) throw new Error(`the demo's environment file changed shape:\n${demo.config}`);
  release = expeditorRelease(join(bed.dir, 'expeditor'));
  repo = join(bed.dir, 'shop');
  consumerRepo(repo, { '.github/expeditor.yml': config, '.github/workflows/delivery.yml': exampleDelivery() });
  git(repo, 'checkout', '-q', '-b', 'develop');
}, 300_000);

describe('develop → dev, merge to main → staging → prod: one image per set of build inputs', () => {
  let image = '';
  test('a push to develop builds and deploys to dev only', async () => {
    consumerRepo(repo, { 'app/src/index.html.in': 'the develop version\n' });
    const run = await delivery();
    expect(run.code, show(run)).toBe(0);
    image = builtImage(run) ?? '';
    expect(image).toMatch(/@sha256:/);
    expect(run.output).toMatch(/Tagged \S+:inputs-[0-9a-f]{24} → sha256:/);
    expect(await serviceImage('dev')).toBe(image);
    expect(bed.github.deployments('staging')).toEqual([]);
  });

  test.each([
    ['a no-ff merge', () => git(repo, 'merge', '-q', '--no-ff', '-m', 'Merge develop', 'develop')],
    [
      'a squash merge',
      () => {
        git(repo, 'reset', '-q', '--hard', 'main~1');
        git(repo, 'merge', '-q', '--squash', 'develop');
        git(repo, 'commit', '-q', '-m', 'Squash develop');
      },
    ],
  ])('%s to main builds nothing, passes the staging gate by digest, and reaches prod', async (_how, merge) => {
    git(repo, 'checkout', '-q', 'main');
    merge();
    const sha = git(repo, 'rev-parse', 'HEAD');
    const run = await delivery();
    expect(run.code, show(run)).toBe(0);
    expect(builtImage(run)).toBe(image);
    expect(run.output).toMatch(
      new RegExp(
        `Reused \\S+:inputs-[0-9a-f]{24} \\(sha256:[0-9a-f]{64}\\), built before from the same inputs for commit ${git(repo, 'rev-parse', 'develop')}: tagged ${sha}`,
      ),
    );
    expect(run.output).not.toMatch(/Builder: /);
    expect(run.output).toContain(`passed dev (deployment`);
    expect(await serviceImage('staging')).toBe(image);
    expect(await serviceImage('prod')).toBe(image);
    // Recorded at the merge commit with the digest that ran in dev (a first deploy also records a baseline).
    const passed = (env: string) =>
      bed.github
        .deployments(env)
        .filter((d) => d.sha === sha && (d.payload as { image?: string }).image === image)
        .map((d) => d.statuses.at(-1)?.state);
    expect(passed('staging')).toEqual(['success']);
    expect(passed('prod')).toEqual(['success']);
  });

  test('a merge whose context differs from what ran in dev (a develop commit dev never ran) is refused by the gate, saying what to do', async () => {
    const staging = bed.github.deployments('staging').length;
    git(repo, 'checkout', '-q', 'develop');
    consumerRepo(repo, { 'app/src/index.html.in': 'a change dev never ran\n' });
    git(repo, 'checkout', '-q', 'main');
    git(repo, 'reset', '-q', '--hard', 'main~1');
    git(repo, 'merge', '-q', '--no-ff', '-m', 'Merge develop', 'develop');
    const run = await delivery();
    expect(run.code).not.toBe(0);
    const built = builtImage(run) ?? '';
    expect(built).not.toBe(image);
    expect(run.output).toContain(
      `digest ${built.split('@')[1]} has no successful deployment of demo-app in dev, so it may not be promoted to staging`,
    );
    expect(run.output).toContain("deploy this commit's image to dev first and let it pass there");
    expect(run.output).toContain(`or promote the image that passed dev by its digest: the newest of demo-app is ${image}`);
    expect(bed.github.deployments('staging').length).toBe(staging);
    expect(await serviceImage('staging')).toBe(image);
  });
});
