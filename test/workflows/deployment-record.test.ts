// The deployment-record action's bundle, run as the runner runs it, against the bed's GitHub API
// (every request checked against GitHub's REST description): start/finish, the gate inside start
// and on its own, rollbacks, and bad input refused before any request.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import { root, runBundle } from '../e2e/deploy-ecs-bed.ts';

const bed = useBed(['github']);
let workspace = '';
let counter = 0;
const image = (): string => `127.0.0.1:5000/demo-app@sha256:${(++counter).toString(16).padStart(4, '0').repeat(16)}`;
const digest = (img: string): string => img.slice(img.indexOf('@') + 1);

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'record-ws-'));
  mkdirSync(join(workspace, '.github'));
  const example = readFileSync(join(root, 'examples/expeditor.yml'), 'utf8')
    .replace('# yaml-language-server: $schema=../schema/expeditor.schema.json\n', '')
    .replace('    promote-from: staging', '    promote-from: staging\n    url: https://shop.example');
  writeFileSync(join(workspace, '.github/expeditor.yml'), example);
});

function record(inputs: Record<string, string>, sha = 'b'.repeat(40)) {
  return runBundle('deployment-record', { token: bed.github.token, ...inputs }, { ...bed.github.env, GITHUB_SHA: sha }, { workspace });
}

describe('deployment-record', () => {
  test('start and finish: a Deployment with the platform from the environment file, then success', async () => {
    const img = image();
    const started = await record({ mode: 'start', environment: 'dev', image: img });
    expect(started.status, started.stdout + started.stderr).toBe(0);
    expect(started.outputs).toMatchObject({
      platform: 'ecs',
      strategy: 'rolling',
      route: '',
      'promote-from': '',
      image: img,
      digest: digest(img),
    });
    const finished = await record({
      mode: 'finish',
      environment: 'dev',
      'deployment-id': started.outputs['deployment-id']!,
      state: 'success',
    });
    expect(finished.status, finished.stdout).toBe(0);
    const [kept] = bed.github.deployments('dev').filter((d) => String(d.id) === started.outputs['deployment-id']);
    expect(kept!.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(kept!.statuses[1]!.logUrl).toBe('https://github.com/acme/shop/actions/runs/42');
    expect(kept!.payload).toMatchObject({ app: 'demo-app', platform: 'ecs', strategy: 'rolling', image: img });
    // dev is promoted from (by staging): not a production environment.
    expect(kept!.production).toBe(false);
    expect(started.summary).toContain('Deployment to dev recorded');
    expect(bed.github.malformed()).toEqual([]);
  });

  test('start refuses an image that did not pass promote-from, recording nothing; lets it through once it has', async () => {
    const img = image();
    const refused = await record({ mode: 'start', environment: 'staging', image: img });
    expect(refused.status).not.toBe(0);
    expect(refused.stdout).toContain(
      `digest ${digest(img)} has no successful deployment of demo-app in dev, so it may not be promoted to staging`,
    );
    expect(refused.stdout).toContain('Unchanged: nothing was deployed to staging.');
    expect(bed.github.deployments('staging')).toEqual([]);

    const dev = await record({ mode: 'start', environment: 'dev', image: img });
    await record({ mode: 'finish', environment: 'dev', 'deployment-id': dev.outputs['deployment-id']!, state: 'success' });
    const staging = await record({ mode: 'start', environment: 'staging', image: img });
    expect(staging.status, staging.stdout).toBe(0);
    expect(staging.outputs).toMatchObject({ platform: 'eks', strategy: 'blue-green', route: 'service', 'promote-from': 'dev' });
    expect(staging.summary).toContain(`passed dev (deployment ${dev.outputs['deployment-id']})`);
    const failed = await record({
      mode: 'finish',
      environment: 'staging',
      'deployment-id': staging.outputs['deployment-id']!,
      state: 'failure',
    });
    expect(failed.status).toBe(0);
    // Failed in staging: prod refuses it.
    const prod = await record({ mode: 'start', environment: 'prod', image: img });
    expect(prod.status).not.toBe(0);
    expect(prod.stdout).toContain('has no successful deployment of demo-app in staging');
  });

  test('gate by commit outputs the image that passed; prod is a production environment with its url', async () => {
    const img = image();
    const sha = 'c'.repeat(40);
    for (const env of ['dev', 'staging']) {
      const s = await record({ mode: 'start', environment: env, image: img }, sha);
      await record({ mode: 'finish', environment: env, 'deployment-id': s.outputs['deployment-id']!, state: 'success' }, sha);
    }
    const gate = await record({ mode: 'gate', environment: 'prod', commit: sha });
    expect(gate.status, gate.stdout).toBe(0);
    expect(gate.outputs).toMatchObject({
      image: img,
      sha,
      'promote-from': 'staging',
      platform: 'eks',
      route: 'ingress',
      'environment-url': 'https://shop.example',
    });
    expect(gate.summary).toContain('Promotion gate staging → prod: passed');
    const prod = await record({ mode: 'start', environment: 'prod', image: gate.outputs.image! }, sha);
    expect(prod.status, prod.stdout).toBe(0);
    expect(bed.github.deployments('prod').at(-1)!.production).toBe(true);
  });

  test('rollback: records the previous passed image, and on success marks the replaced deployment rolled back', async () => {
    const good = image();
    const bad = image();
    for (const img of [good, bad]) {
      const s = await record({ mode: 'start', environment: 'dev', image: img, 'promote-from': 'none' });
      await record({ mode: 'finish', environment: 'dev', 'deployment-id': s.outputs['deployment-id']!, state: 'success' });
    }
    const badId = bed.github.deployments('dev').at(-1)!.id;
    const started = await record({ mode: 'start', environment: 'dev', rollback: 'true' });
    expect(started.status, started.stdout).toBe(0);
    expect(started.outputs).toMatchObject({ image: good, 'rolled-back-id': String(badId), platform: 'ecs' });
    await record({ mode: 'finish', environment: 'dev', 'deployment-id': started.outputs['deployment-id']!, state: 'success' });
    const bads = bed.github.deployments('dev').find((d) => d.id === badId)!;
    expect(bads.statuses.at(-1)).toMatchObject({
      state: 'error',
      description: `rolled back by deployment ${started.outputs['deployment-id']}`,
    });
    // The rolled-back image no longer counts as passed dev.
    const gate = await record({ mode: 'gate', environment: 'staging', digest: bad });
    expect(gate.status).not.toBe(0);
  });

  test('bad input is refused naming the input, before any request', async () => {
    const before = bed.github.requests().length;
    const tagged = await record({ mode: 'start', environment: 'dev', image: '127.0.0.1:5000/demo-app:latest' });
    expect(tagged.status).not.toBe(0);
    const finish = await record({ mode: 'finish', environment: 'dev' });
    expect(finish.stdout).toContain("input 'deployment-id': is required to finish a deployment");
    expect(finish.stdout).toContain("input 'state': is required");
    const hostile = await record({ mode: 'start', environment: 'dev$(id)', image: image() });
    expect(hostile.stdout).toContain("input 'environment': expected an environment name");
    const unknown = await record({ mode: 'start', environment: 'qa', image: image() });
    expect(unknown.stdout).toContain('environment "qa" is not in .github/expeditor.yml (have: dev, staging, prod)');
    expect(bed.github.requests().length).toBe(before);
    // The runner hides a value once told with ::add-mask::; nothing else may carry it.
    const printed = (tagged.stdout + finish.stdout + unknown.stdout).split('\n').filter((l) => !l.startsWith('::add-mask::'));
    expect(printed.join('\n')).not.toContain(bed.github.token);
  });

  test('apps: a file of another app is refused naming the input, before any request; hold keeps the deployment in progress', async () => {
    const before = bed.github.requests().length;
    const wrong = await record({ mode: 'check', environment: 'dev', app: 'cart' });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stdout).toContain("input 'app' is cart but .github/expeditor.yml is the environment file of demo-app");
    const from = await record({ mode: 'gate', environment: 'prod', 'promote-from': 'stagin', digest: image() });
    expect(from.stdout).toContain('environment "stagin" is not in .github/expeditor.yml');
    expect(bed.github.requests().length).toBe(before);
    const ok = await record({ mode: 'check', environment: 'prod', app: 'demo-app' });
    expect(ok.outputs).toMatchObject({ app: 'demo-app', platform: 'eks' });

    const img = image();
    const started = await record({ mode: 'start', environment: 'dev', image: img });
    const id = started.outputs['deployment-id']!;
    const held = await record({
      mode: 'hold',
      environment: 'dev',
      'deployment-id': id,
      description: 'waiting for approval in dev-approval',
    });
    expect(held.status, held.stdout).toBe(0);
    // The approval job's guard: still the newest and in progress.
    const guard = await record({ mode: 'check', environment: 'dev', 'deployment-id': id });
    expect(guard.status, guard.stdout).toBe(0);
    const kept = bed.github.deployments('dev').find((d) => String(d.id) === id)!;
    expect(kept.statuses.map((s) => [s.state, s.description])).toEqual([
      ['in_progress', 'deploying'],
      ['in_progress', 'waiting for approval in dev-approval'],
    ]);
    // A newer deploy of the same app: the held one may no longer be switched.
    const newer = await record({ mode: 'start', environment: 'dev', image: image() });
    const stale = await record({ mode: 'check', environment: 'dev', 'deployment-id': id });
    expect(stale.status).not.toBe(0);
    expect(stale.stdout).toContain(
      `deployment ${id} is no longer held for approval: deployment ${newer.outputs['deployment-id']} of demo-app started after it`,
    );
    for (const d of [id, newer.outputs['deployment-id']!])
      await record({ mode: 'finish', environment: 'dev', 'deployment-id': d, state: 'failure' });
  });

  test('first deploy on a rolling ECS service: with the previous image deploy-ecs outputs, a rollback right after returns to it', async () => {
    // A second file of the same app with an environment nothing has passed yet.
    const file = readFileSync(join(workspace, '.github/expeditor.yml'), 'utf8').replace(
      'environments:\n',
      'environments:\n  qa:\n    aws: { account: "111111111111", region: us-west-2, role: "arn:aws:iam::111111111111:role/deploy-qa" }\n    ecs: { cluster: qa, service: app-service, strategy: rolling }\n',
    );
    writeFileSync(join(workspace, '.github/qa.yml'), file);
    const before = `127.0.0.1:5000/demo-app@sha256:${'ab'.repeat(32)}`;
    const img = image();
    const started = await record({ mode: 'start', environment: 'qa', config: '.github/qa.yml', image: img });
    const finished = await record({
      mode: 'finish',
      environment: 'qa',
      config: '.github/qa.yml',
      'deployment-id': started.outputs['deployment-id']!,
      state: 'success',
      'previous-target': 'arn:aws:ecs:us-west-2:111111111111:task-definition/app:6',
      'previous-image': before,
    });
    expect(finished.status, finished.stdout).toBe(0);
    const rb = await record({ mode: 'start', environment: 'qa', config: '.github/qa.yml', rollback: 'true' });
    expect(rb.status, rb.stdout).toBe(0);
    expect(rb.outputs.image).toBe(before);
  });

  test('first deploy: finish records what ran before (a baseline), and a rollback returns to it (prod: its first pass here)', async () => {
    const img = image();
    const started = await record({ mode: 'start', environment: 'prod', image: img, 'promote-from': 'none', app: 'demo-app' });
    const id = started.outputs['deployment-id']!;
    const finished = await record({
      mode: 'finish',
      environment: 'prod',
      'deployment-id': id,
      state: 'success',
      'previous-target': 'blue',
    });
    expect(finished.status, finished.stdout).toBe(0);
    const baselineId = finished.outputs['baseline-id'];
    expect(baselineId).toMatch(/^\d+$/);
    const baseline = bed.github.deployments('prod').find((d) => String(d.id) === baselineId)!;
    expect(baseline.payload).toMatchObject({ app: 'demo-app', target: 'blue', baselineOf: Number(id), image: '', digest: '' });
    expect(baseline.statuses.map((s) => s.state)).toEqual(['success']);
    // The first deploy stays the live one.
    expect(
      bed.github
        .deployments('prod')
        .find((d) => String(d.id) === id)!
        .statuses.at(-1)!.state,
    ).toBe('success');
    // A second pass records no baseline.
    const second = await record({ mode: 'start', environment: 'prod', image: image(), 'promote-from': 'none' });
    const again = await record({
      mode: 'finish',
      environment: 'prod',
      'deployment-id': second.outputs['deployment-id']!,
      state: 'success',
      'previous-target': 'green',
    });
    expect(again.outputs['baseline-id']).toBeUndefined();
    // Two rollbacks: to the first image, then to what ran before it (EKS blue/green: the switch needs no image).
    for (const expected of [img, '']) {
      const rb = await record({ mode: 'start', environment: 'prod', rollback: 'true' });
      expect(rb.status, rb.stdout).toBe(0);
      expect(rb.outputs.image).toBe(expected);
      await record({ mode: 'finish', environment: 'prod', 'deployment-id': rb.outputs['deployment-id']!, state: 'success' });
    }
    expect(bed.github.malformed()).toEqual([]);
  });
});
