// The deployment group and config, as decisions on what CodeDeploy described: the console's default
// names, how a config moves traffic, and what a group means for a deployment of this service.
import type { DeploymentGroupInfo } from '@aws-sdk/client-codedeploy';
import { describe, expect, it } from 'vitest';
import { ExpeditorError } from '../../packages/shared/src/errors.ts';
import { defaultCodeDeployNames, describeRouting, groupFacts, type GroupRef } from '../../packages/codedeploy/src/group.ts';
import { thrown } from './thrown.ts';

describe('defaultCodeDeployNames (what the ECS console creates)', () => {
  it.each([
    { cluster: 'shop', service: 'web', names: { application: 'AppECS-shop-web', group: 'DgpECS-shop-web' } },
    {
      cluster: 'prod-cluster',
      service: 'checkout_api',
      names: { application: 'AppECS-prod-cluster-checkout_api', group: 'DgpECS-prod-cluster-checkout_api' },
    },
  ])('$cluster/$service', ({ cluster, service, names }) => {
    expect(defaultCodeDeployNames(cluster, service)).toEqual(names);
  });
});

describe('describeRouting', () => {
  it.each([
    {
      name: 'CodeDeployDefault.ECSAllAtOnce',
      info: {
        deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
        computePlatform: 'ECS' as const,
        trafficRoutingConfig: { type: 'AllAtOnce' as const },
      },
      words: 'all at once',
    },
    {
      name: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      info: {
        computePlatform: 'ECS' as const,
        trafficRoutingConfig: { type: 'TimeBasedCanary' as const, timeBasedCanary: { canaryPercentage: 10, canaryInterval: 5 } },
      },
      words: 'canary: 10%, then the rest after 5 min',
    },
    {
      name: 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes',
      info: {
        computePlatform: 'ECS' as const,
        trafficRoutingConfig: { type: 'TimeBasedLinear' as const, timeBasedLinear: { linearPercentage: 10, linearInterval: 1 } },
      },
      words: 'linear: 10% every 1 min',
    },
    {
      name: 'a canary without its numbers',
      info: { trafficRoutingConfig: { type: 'TimeBasedCanary' as const } },
      words: 'canary: ?%, then the rest after ? min',
    },
    { name: 'no config read (the default)', info: undefined, words: 'all at once' },
    { name: 'a config without routing', info: {}, words: 'all at once' },
  ])('$name → $words', ({ info, words }) => {
    expect(describeRouting(info)).toBe(words);
  });
});

describe('groupFacts', () => {
  const ref: GroupRef = {
    application: 'AppECS-shop-web',
    group: 'DgpECS-shop-web',
    applicationOrigin: { input: 'codedeploy-application' },
    groupOrigin: { key: 'environments.prod.ecs.codedeploy.deployment-group' },
  };
  const service = { cluster: 'shop', service: 'web' };
  // GetDeploymentGroup for a group the ECS console created, holding deployments at Ready for an hour.
  const group = (over: Partial<DeploymentGroupInfo> = {}): DeploymentGroupInfo => ({
    applicationName: 'AppECS-shop-web',
    deploymentGroupName: 'DgpECS-shop-web',
    deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
    computePlatform: 'ECS',
    serviceRoleArn: 'arn:aws:iam::123456789012:role/ecsCodeDeployRole',
    deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    blueGreenDeploymentConfiguration: {
      terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 15 },
      deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 60 },
    },
    loadBalancerInfo: {
      targetGroupPairInfoList: [
        {
          targetGroups: [{ name: 'shop-web-blue' }, { name: 'shop-web-green' }],
          prodTrafficRoute: { listenerArns: ['arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/shop/3f1c2a/9d8e7f'] },
          testTrafficRoute: { listenerArns: ['arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/shop/3f1c2a/1a2b3c'] },
        },
      ],
    },
    ecsServices: [{ serviceName: 'web', clusterName: 'shop' }],
    ...over,
  });

  it.each([
    {
      name: 'a group that holds at Ready, keeps blue 15 min and has a test listener',
      info: group(),
      facts: {
        waitsForReroute: true,
        readyWaitMinutes: 60,
        terminationWaitMinutes: 15,
        testListeners: ['arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/shop/3f1c2a/1a2b3c'],
      },
    },
    {
      name: 'a group that reroutes at once and terminates blue at once',
      info: group({
        blueGreenDeploymentConfiguration: {
          deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT', waitTimeInMinutes: 0 },
          terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE' },
        },
        loadBalancerInfo: {},
      }),
      facts: { waitsForReroute: false, readyWaitMinutes: undefined, terminationWaitMinutes: 0, testListeners: [] },
    },
    {
      name: 'a group naming its cluster by ARN',
      info: group({ ecsServices: [{ serviceName: 'web', clusterName: 'arn:aws:ecs:us-west-2:123456789012:cluster/shop' }] }),
      facts: { waitsForReroute: true, readyWaitMinutes: 60, terminationWaitMinutes: 15 },
    },
    { name: 'a group that lists no service yet', info: group({ ecsServices: [] }), facts: { waitsForReroute: true } },
  ])('$name', ({ info, facts }) => {
    const got = groupFacts(info, ref, service);
    expect(got).toMatchObject(facts);
    expect(got.info).toBe(info);
  });

  it.each([
    {
      name: 'a group of another service',
      info: group({ ecsServices: [{ serviceName: 'api', clusterName: 'shop' }] }),
      message: 'deployment group DgpECS-shop-web deploys shop/api, not shop/web',
      at: { key: ref.groupOrigin.key },
    },
    {
      name: 'a group of the same service in another cluster',
      info: group({ ecsServices: [{ serviceName: 'web', clusterName: 'shop-staging' }] }),
      message: 'deploys shop-staging/web, not shop/web',
      at: { key: ref.groupOrigin.key },
    },
    {
      name: 'an application for EC2',
      info: group({ computePlatform: 'Server' }),
      message: "input 'codedeploy-application': application AppECS-shop-web is for Server, not ECS",
      at: { input: 'codedeploy-application' },
    },
  ])('refuses $name, naming where the name came from', ({ info, message, at }) => {
    const error = thrown(() => groupFacts(info, ref, service));
    expect(error).toBeInstanceOf(ExpeditorError);
    expect((error as ExpeditorError).message).toContain(message);
    expect(error).toMatchObject(at);
    expect((error as ExpeditorError).unchanged).toBe('nothing was registered or deployed');
  });

  it('without a service to match (the switch), any ECS group is taken', () => {
    expect(groupFacts(group({ ecsServices: [{ serviceName: 'api', clusterName: 'other' }] }), ref, undefined).waitsForReroute).toBe(true);
  });
});
