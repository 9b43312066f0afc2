// deploy-ecs's rolling verdict on one DescribeServices answer: our deployment by its id, never the
// service merely being stable. Services as ECS describes them during a rolling deployment.
import type { Deployment, Service } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../actions/deploy-ecs/src/rolling.ts';

const td = (revision: number) => `arn:aws:ecs:us-west-2:123456789012:task-definition/shop-web:${revision}`;
const ours = 'ecs-svc/4613852170432914567';
const before = 'ecs-svc/1186573942058172339';
const later = 'ecs-svc/9930012745521836602';
const startedAt = new Date('2025-03-04T10:00:00Z');
const at = (minutes: number) => new Date(startedAt.getTime() + minutes * 60_000);

function deployment(id: string, over: Partial<Deployment>): Deployment {
  return {
    id,
    status: 'ACTIVE',
    taskDefinition: td(6),
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    failedTasks: 0,
    launchType: 'FARGATE',
    createdAt: at(-60),
    updatedAt: at(-60),
    ...over,
  };
}

function service(...deployments: Deployment[]): Service {
  return {
    serviceArn: 'arn:aws:ecs:us-west-2:123456789012:service/shop/web',
    serviceName: 'web',
    clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/shop',
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 2,
    deploymentController: { type: 'ECS' },
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    },
    deployments,
  };
}

const oursPrimary = (over: Partial<Deployment>) =>
  deployment(ours, { status: 'PRIMARY', taskDefinition: td(7), createdAt: startedAt, runningCount: 0, pendingCount: 2, ...over });
const previousActive = deployment(before, { status: 'ACTIVE', rolloutState: 'COMPLETED', taskDefinition: td(6) });

describe('classify: where our rolling deployment stands', () => {
  it.each([
    {
      name: 'rolling out: ours is PRIMARY and IN_PROGRESS, the old one still runs',
      svc: service(oursPrimary({ rolloutState: 'IN_PROGRESS' }), previousActive),
      outcome: 'progress',
      primary: ours,
    },
    {
      name: 'COMPLETED and PRIMARY: done',
      svc: service(
        oursPrimary({
          rolloutState: 'COMPLETED',
          runningCount: 2,
          pendingCount: 0,
          rolloutStateReason: 'ECS deployment ecs-svc/4613852170432914567 completed.',
        }),
      ),
      outcome: 'completed',
      primary: ours,
    },
    {
      name: 'FAILED by the circuit breaker while ECS rolls back to the previous deployment',
      svc: service(
        deployment(before, { status: 'PRIMARY', rolloutState: 'IN_PROGRESS', taskDefinition: td(6), createdAt: at(3), runningCount: 1 }),
        oursPrimary({
          status: 'ACTIVE',
          rolloutState: 'FAILED',
          failedTasks: 4,
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
        }),
      ),
      outcome: 'failed',
      primary: before,
    },
    {
      name: 'FAILED though still PRIMARY (no rollback configured)',
      svc: service(oursPrimary({ rolloutState: 'FAILED', failedTasks: 3 }), previousActive),
      outcome: 'failed',
      primary: ours,
    },
    {
      name: 'a newer deployment took over (someone deployed over us)',
      svc: service(
        deployment(later, { status: 'PRIMARY', rolloutState: 'IN_PROGRESS', taskDefinition: td(8), createdAt: at(2) }),
        oursPrimary({ status: 'ACTIVE', rolloutState: 'IN_PROGRESS' }),
      ),
      outcome: 'replaced',
      primary: later,
    },
    {
      name: 'ours no longer listed, the service back on the previous task definition (ECS dropped ours after its rollback)',
      svc: service(deployment(later, { status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: td(6), createdAt: at(4) })),
      outcome: 'replaced',
      primary: later,
    },
    {
      name: 'COMPLETED but no longer PRIMARY: a newer deployment runs, not ours',
      svc: service(
        deployment(later, { status: 'PRIMARY', rolloutState: 'IN_PROGRESS', taskDefinition: td(8), createdAt: at(5) }),
        oursPrimary({ status: 'ACTIVE', rolloutState: 'COMPLETED' }),
      ),
      outcome: 'replaced',
      primary: later,
    },
    {
      name: 'a stale read that lists only what ran before our deployment: keep waiting',
      svc: service(deployment(before, { status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: td(6), createdAt: at(-60) })),
      outcome: 'progress',
      primary: before,
    },
    { name: 'no deployments listed at all', svc: service(), outcome: 'replaced', primary: undefined },
  ])('$name → $outcome', ({ svc, outcome, primary }) => {
    const state = classify(svc, ours, startedAt);
    expect(state.outcome).toBe(outcome);
    expect(state.primary?.id).toBe(primary);
    expect(state.ours?.id).toBe(svc.deployments?.some((d) => d.id === ours) ? ours : undefined);
    expect(state.service).toBe(svc);
  });

  it('without our start time an old primary cannot be told from a stale read: it counts as replaced', () => {
    const svc = service(deployment(before, { status: 'PRIMARY', rolloutState: 'COMPLETED', createdAt: at(-60) }));
    expect(classify(svc, ours).outcome).toBe('replaced');
    expect(classify(svc, ours, startedAt).outcome).toBe('progress');
  });

  it('with no PRIMARY marked, the first deployment listed stands for the primary', () => {
    const svc = service(oursPrimary({ status: 'ACTIVE', rolloutState: 'COMPLETED' }), previousActive);
    expect(classify(svc, ours, startedAt)).toMatchObject({ outcome: 'completed', primary: { id: ours } });
  });
});
