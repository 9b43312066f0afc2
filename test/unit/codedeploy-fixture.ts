// A CodeDeploy ECS deployment as GetDeployment and GetDeploymentTarget describe it, at any point of
// its lifecycle, for the table tests of the CodeDeploy decisions.
import type { DeploymentInfo, DeploymentStatus, ECSTarget, LifecycleEventStatus } from '@aws-sdk/client-codedeploy';
import type { CodeDeployView } from '../../packages/codedeploy/src/follow.ts';

export const blueTd = 'arn:aws:ecs:us-west-2:123456789012:task-definition/shop-web:6';
export const greenTd = 'arn:aws:ecs:us-west-2:123456789012:task-definition/shop-web:7';

/** The lifecycle events of an ECS deployment, in the order CodeDeploy lists them. */
const EVENTS = [
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'AllowTestTraffic',
  'AfterAllowTestTraffic',
  'BeforeAllowTraffic',
  'AllowTraffic',
  'AfterAllowTraffic',
];

/** Events up to `upTo` Succeeded, that one in `status`, the rest Pending (all Succeeded when upTo is undefined). */
export function events(upTo?: string, status: LifecycleEventStatus = 'InProgress'): ECSTarget['lifecycleEvents'] {
  const at = upTo === undefined ? EVENTS.length : EVENTS.indexOf(upTo);
  return EVENTS.map((name, i) => ({
    lifecycleEventName: name,
    status: i < at ? 'Succeeded' : i === at ? status : 'Pending',
    ...(i < at ? { startTime: new Date('2025-03-04T10:00:00Z'), endTime: new Date('2025-03-04T10:00:30Z') } : {}),
  }));
}

export function target(
  over: {
    events?: ECSTarget['lifecycleEvents'];
    blue?: number;
    green?: number;
    running?: number;
    desired?: number;
    status?: string;
    noGreen?: boolean;
  } = {},
): ECSTarget {
  const desired = over.desired ?? 2;
  return {
    deploymentId: 'd-7Q2WV3H5X',
    targetId: 'shop:web',
    targetArn: 'arn:aws:ecs:us-west-2:123456789012:service/shop/web',
    lastUpdatedAt: new Date('2025-03-04T10:05:00Z'),
    lifecycleEvents: over.events ?? events('AllowTraffic'),
    status: (over.status ?? 'InProgress') as ECSTarget['status'],
    taskSetsInfo: [
      {
        identifer: 'ecs-svc/1186573942058172339',
        desiredCount: 2,
        pendingCount: 0,
        runningCount: 2,
        status: 'PRIMARY',
        trafficWeight: over.blue ?? 100,
        targetGroup: { name: 'shop-web-blue' },
        taskSetLabel: 'Blue',
      },
      ...(over.noGreen
        ? []
        : [
            {
              identifer: 'ecs-svc/4613852170432914567',
              desiredCount: desired,
              pendingCount: desired - (over.running ?? desired),
              runningCount: over.running ?? desired,
              status: 'ACTIVE',
              trafficWeight: over.green ?? 0,
              targetGroup: { name: 'shop-web-green' },
              taskSetLabel: 'Green' as const,
            },
          ]),
    ],
  };
}

export function deployment(status: DeploymentStatus, over: Partial<DeploymentInfo> = {}): DeploymentInfo {
  return {
    applicationName: 'AppECS-shop-web',
    deploymentGroupName: 'DgpECS-shop-web',
    deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
    deploymentId: 'd-7Q2WV3H5X',
    status,
    creator: 'user',
    createTime: new Date('2025-03-04T10:00:00Z'),
    computePlatform: 'ECS',
    description: `Expeditor deploy-ecs: 123456789012.dkr.ecr.us-west-2.amazonaws.com/shop-web@sha256:${'a'.repeat(64)}; previous task definition: ${blueTd}`,
    revision: {
      revisionType: 'AppSpecContent',
      appSpecContent: {
        content: JSON.stringify({
          version: '0.0',
          Resources: [
            {
              TargetService: {
                Type: 'AWS::ECS::Service',
                Properties: { TaskDefinition: greenTd, LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 8080 } },
              },
            },
          ],
        }),
      },
    },
    ...over,
  };
}

export function view(d: DeploymentInfo | undefined, t: ECSTarget | undefined, trafficShifted = false): CodeDeployView {
  return { deployment: d, target: t, trafficShifted };
}
