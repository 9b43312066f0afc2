// SIGTERM (a cancelled workflow run) at each phase of deploy-ecs, through the bundle on the bed's
// moto. The phase is recognised from the bundle's own log lines; each case checks the end state
// against docs/cancellation.md: never a service update or a CodeDeploy deployment that the run
// started and then left behind without following or undoing it. A signal sent as a write goes out
// may land before or after the request reaches the server; both outcomes are allowed, a half
// state is not. (Held at Ready while waiting for Succeeded: deploy-ecs-bluegreen.test.ts.)
import { describe, expect, it } from 'vitest';
import { GetDeploymentCommand, ListDeploymentsCommand } from '@aws-sdk/client-codedeploy';
import { useBed } from '../bed/vitest.ts';
import {
  blueGreenService,
  blueGreenTarget,
  callsOf,
  digestImage,
  rollingService,
  runBundle,
  until,
  type BlueGreenFixture,
} from './deploy-ecs-bed.ts';
import { startBundle } from './bundle-run.ts';
import { expectOneStateLine, signalAt } from './sigterm-bed.ts';

const bed = useBed(['moto']);

/** The CodeDeploy deployments of the fixture's group since `since`, once settled: `stopped for <rollback id>` or `<id> <status>`. */
async function deploymentsOf(fx: BlueGreenFixture, since: number): Promise<string[]> {
  const listed = await fx.codedeploy.send(
    new ListDeploymentsCommand({
      applicationName: fx.application,
      deploymentGroupName: fx.group,
      createTimeRange: { start: new Date(since - 1000) },
    }),
  );
  const statuses: string[] = [];
  for (const id of listed.deployments ?? []) {
    const info = await until(
      async () => (await fx.codedeploy.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!,
      (d) => !['Created', 'Queued', 'InProgress', 'Ready', 'Baking'].includes(d.status!),
    );
    statuses.push(
      info.rollbackInfo?.rollbackDeploymentId
        ? `stopped for ${info.rollbackInfo.rollbackDeploymentId}`
        : `${info.deploymentId} ${info.status}`,
    );
  }
  return statuses.sort();
}

/** Ours stopped with rollback, its rollback deployment Succeeded, and the error line says both. */
function expectStoppedAndRolledBack(deployments: string[], line: string): void {
  const rollback = /rollback deployment (d-\w+) Succeeded/.exec(line)?.[1];
  expect(line).toMatch(/stopped with rollback: it is now Stopped/);
  expect(deployments).toEqual([`${rollback} Succeeded`, `stopped for ${rollback}`]);
}

describe('deploy-ecs cancelled (SIGTERM)', () => {
  const rolling = async (phase: RegExp) => {
    const fx = await rollingService(bed.moto);
    const run = await runBundle('deploy-ecs', { image: digestImage(), cluster: fx.cluster, service: fx.service }, bed.moto.env(), {
      signalAfter: (line) => phase.test(line),
    });
    return { fx, run };
  };

  it('rolling, while reading and checking: nothing registered or deployed — or, if the cancel lands later, the state of that later phase', async () => {
    const { fx, run } = await rolling(/^::group::Prepare: /);
    const line = expectOneStateLine(run, 'deploy-ecs');
    expect(line).toMatch(
      /cancelled \(SIGTERM\).*(nothing was registered or deployed|registered but not deployed|rolled the service back to )/,
    );
    expect((await fx.describe()).taskDefinition).toBe(fx.firstTd);
  });

  it('rolling, as UpdateService goes out: not sent, or sent and rolled back — the service ends on its previous task definition', async () => {
    const { fx, run } = await rolling(/^registered /);
    const line = expectOneStateLine(run, 'deploy-ecs');
    expect(line).toMatch(/cancelled \(SIGTERM\)(, before ecs:UpdateService.*still runs|.*rolled the service back to )/);
    expect((await fx.describe()).taskDefinition).toBe(fx.firstTd);
  });

  it('rolling, while waiting for the rollout: rolled back to the previous task definition, and said so', async () => {
    const { fx, run } = await rolling(/^ECS deployment \S+ started: /);
    const line = expectOneStateLine(run, 'deploy-ecs');
    expect(line).toMatch(/was interrupted: the run was cancelled \(SIGTERM\); deploy-ecs rolled the service back to /);
    expect(run.summary).toContain('rolled the service back');
    expect((await fx.describe()).taskDefinition).toBe(fx.firstTd);
  });

  it('rolling, SIGINT (the runner’s first signal) while waiting for the rollout: rolled back once, said once', async () => {
    const fx = await rollingService(bed.moto);
    const since = Date.now();
    const { child, done } = startBundle(
      'deploy-ecs',
      { image: digestImage(), cluster: fx.cluster, service: fx.service },
      { GITHUB_SHA: 'b'.repeat(40), ...bed.moto.env() },
      { home: process.env.HOME ?? '' },
    );
    signalAt(child, /^ECS deployment \S+ started: /, 'SIGINT');
    const line = expectOneStateLine(await done, 'deploy-ecs');
    expect(line).toMatch(/was interrupted: the run was cancelled \(SIGINT\); deploy-ecs rolled the service back to /);
    expect((await fx.describe()).taskDefinition).toBe(fx.firstTd);
    // One UpdateService to deploy, one to roll back.
    expect(await callsOf(bed.moto, 'UpdateService', since)).toHaveLength(2);
  });

  const blueGreen = async (phase: RegExp) => {
    const fx = await blueGreenService(bed.moto);
    const since = Date.now();
    const run = await runBundle('deploy-ecs', { image: digestImage(), ...blueGreenTarget(fx) }, bed.moto.env(), {
      signalAfter: (line) => phase.test(line),
    });
    return { fx, run, deployments: await deploymentsOf(fx, since) };
  };

  it('blue/green, as CreateDeployment goes out: none created, or created and stopped with rollback', async () => {
    const { fx, run, deployments } = await blueGreen(/^registered /);
    const line = expectOneStateLine(run, 'deploy-ecs');
    if (deployments.length === 0) expect(line).toMatch(/before codedeploy:CreateDeployment.*still runs/);
    else expectStoppedAndRolledBack(deployments, line);
    expect((await fx.describe()).taskDefinition).toBe(fx.blueTd);
  });

  it('blue/green, while CodeDeploy installs: stopped with rollback, blue serves all traffic', async () => {
    const { fx, run, deployments } = await blueGreen(/^deployment d-\w+: Created$/);
    const line = expectOneStateLine(run, 'deploy-ecs');
    expect(line).toMatch(/was interrupted \(the run was cancelled \(SIGTERM\)\).*stopped with rollback: it is now Stopped/);
    expectStoppedAndRolledBack(deployments, line);
    expect(run.summary).toContain('stopped with rollback');
    expect((await fx.describe()).taskDefinition).toBe(fx.blueTd);
  });
});

describe('bluegreen-switch on ECS cancelled (SIGTERM)', () => {
  it('while following traffic shifting (a canary config): stopped with rollback, blue serves all traffic', async () => {
    const fx = await blueGreenService(bed.moto, { waitForReroute: true });
    const since = Date.now();
    const inputs = {
      image: digestImage(),
      ...blueGreenTarget(fx),
      'wait-until': 'ready',
      'deployment-config': 'CodeDeployDefault.ECSCanary10Percent5Minutes',
    };
    const deploy = await runBundle('deploy-ecs', inputs, bed.moto.env());
    expect(deploy.status, deploy.log).toBe(0);
    const run = await runBundle(
      'bluegreen-switch',
      { platform: 'ecs', 'deployment-id': deploy.outputs['deployment-id']! },
      bed.moto.env(),
      {
        signalAfter: (line) => /traffic: blue 90% · green 10%/.test(line),
      },
    );
    const line = expectOneStateLine(run, 'bluegreen-switch');
    expect(line).toMatch(/cancelled \(SIGTERM\)/);
    expectStoppedAndRolledBack(await deploymentsOf(fx, since), line);
    expect((await fx.describe()).taskDefinition).toBe(fx.blueTd);
  });
});
