// Which strategy a service allows (its deployment controller), and the AppSpec deploy-ecs builds
// for it or checks against the task definition to register.
import type { Service } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { ExpeditorError } from '../../packages/shared/src/errors.ts';
import { controllerOf, strategyFor } from '../../actions/deploy-ecs/src/service.ts';
import { checkedAppSpec, generatedAppSpec } from '../../actions/deploy-ecs/src/service-appspec.ts';
import { parseAppSpec, targetOf } from '../../packages/codedeploy/src/appspec.ts';
import type { Rendered } from '../../actions/deploy-ecs/src/task-definition.ts';
import { thrown } from './thrown.ts';

const svc = (over: Partial<Service> = {}): Service => ({
  serviceName: 'web',
  clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/shop',
  taskDefinition: 'arn:aws:ecs:us-west-2:123456789012:task-definition/shop-web:6',
  status: 'ACTIVE',
  ...over,
});

function errorOf(fn: () => unknown): ExpeditorError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(ExpeditorError);
  return error as ExpeditorError;
}

describe('controllerOf and strategyFor', () => {
  it.each([
    { controller: undefined, asked: 'auto', strategy: 'rolling', is: 'ECS' },
    { controller: 'ECS', asked: 'auto', strategy: 'rolling', is: 'ECS' },
    { controller: 'ECS', asked: 'rolling', strategy: 'rolling', is: 'ECS' },
    { controller: 'CODE_DEPLOY', asked: 'auto', strategy: 'blue-green', is: 'CODE_DEPLOY' },
    { controller: 'CODE_DEPLOY', asked: 'blue-green', strategy: 'blue-green', is: 'CODE_DEPLOY' },
  ] as const)('$controller controller, $asked asked → $strategy', ({ controller, asked, strategy, is }) => {
    const service = svc(controller ? { deploymentController: { type: controller } } : {});
    expect(controllerOf(service)).toBe(is);
    expect(strategyFor(service, asked, { input: 'strategy' }, { input: 'service' })).toBe(strategy);
  });

  it.each([
    {
      controller: 'ECS',
      asked: 'blue-green',
      origin: { input: 'strategy' },
      message:
        "input 'strategy': strategy blue-green does not fit service web, which uses the ECS deployment controller (that means rolling)",
    },
    {
      controller: 'CODE_DEPLOY',
      asked: 'rolling',
      origin: { key: 'environments.prod.ecs.strategy' },
      message:
        'environments.prod.ecs.strategy: strategy rolling does not fit service web, which uses the CODE_DEPLOY deployment controller (that means blue-green)',
    },
    {
      controller: 'EXTERNAL',
      asked: 'auto',
      origin: { input: 'service' },
      message: "input 'service': service web uses the EXTERNAL deployment controller, which deploy-ecs cannot drive",
    },
  ] as const)('$controller controller, $asked asked: refused', ({ controller, asked, origin, message }) => {
    const serviceOrigin = controller === 'EXTERNAL' ? origin : { input: 'service' };
    const error = errorOf(() => strategyFor(svc({ deploymentController: { type: controller } }), asked, origin, serviceOrigin));
    expect(error.message).toBe(message);
    expect(error).toMatchObject({ ...origin, unchanged: 'nothing was registered or deployed' });
  });
});

const rendered = (containers: { name: string; ports?: number[] }[]): Rendered => ({
  input: {
    family: 'shop-web',
    containerDefinitions: containers.map((c) => ({
      name: c.name,
      image: 'x',
      portMappings: (c.ports ?? []).map((p) => ({ containerPort: p })),
    })),
  },
  container: containers[0]?.name ?? '',
  previousImage: undefined,
  changes: [],
});

describe('generatedAppSpec: from the service', () => {
  const lb = {
    targetGroupArn: 'arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/shop-web-blue/0123456789abcdef',
    containerName: 'web',
    containerPort: 8080,
  };
  it.each([
    {
      name: "the load balancer's container and port",
      service: svc({ loadBalancers: [lb] }),
      plan: { hooks: {} },
      container: 'web',
      port: 8080,
      platform: undefined,
    },
    {
      name: 'the container-port input over the load balancer',
      service: svc({ loadBalancers: [lb] }),
      plan: { containerPort: 9090, hooks: {} },
      container: 'web',
      port: 9090,
      platform: undefined,
    },
    {
      name: 'the first port of the rendered container without a load balancer',
      service: svc(),
      plan: { hooks: {} },
      container: 'web',
      port: 8080,
      platform: undefined,
    },
    {
      name: "Fargate's platform version",
      service: svc({ loadBalancers: [lb], launchType: 'FARGATE', platformVersion: '1.4.0' }),
      plan: { hooks: {} },
      container: 'web',
      port: 8080,
      platform: '1.4.0',
    },
    {
      name: 'Fargate by capacity provider',
      service: svc({
        loadBalancers: [lb],
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
        platformVersion: 'LATEST',
      }),
      plan: { hooks: {} },
      container: 'web',
      port: 8080,
      platform: 'LATEST',
    },
    {
      name: 'no platform version on EC2',
      service: svc({ loadBalancers: [lb], launchType: 'EC2', platformVersion: 'LATEST' }),
      plan: { hooks: {} },
      container: 'web',
      port: 8080,
      platform: undefined,
    },
  ])('$name', ({ service, plan, container, port, platform }) => {
    const spec = generatedAppSpec(
      { containerPort: undefined, ...plan },
      service,
      rendered([
        { name: 'web', ports: [8080] },
        { name: 'envoy', ports: [15000] },
      ]),
    );
    expect(targetOf(spec).LoadBalancerInfo).toEqual({ ContainerName: container, ContainerPort: port });
    expect(targetOf(spec).PlatformVersion).toBe(platform);
  });

  it.each([
    {
      name: 'a load-balanced container the task definition lacks',
      service: svc({ loadBalancers: [{ ...lb, containerName: 'frontend' }] }),
      message: `input 'task-definition': the service's load balancer sends traffic to container "frontend", which the task definition does not have`,
      input: 'task-definition',
    },
    {
      name: 'no port anywhere',
      service: svc(),
      message: "input 'container-port': container envoy has no port mapping and the service no load balancer port",
      input: 'container-port',
    },
  ])('refuses $name', ({ service, message, input }) => {
    const error = errorOf(() =>
      generatedAppSpec({ containerPort: undefined, hooks: {} }, service, rendered([{ name: 'envoy' }, { name: 'web', ports: [8080] }])),
    );
    expect(error.message).toBe(message);
    expect(error.input).toBe(input);
  });
});

describe("checkedAppSpec: the user's file against the task definition", () => {
  const file = (container: string, port: number) => ({
    file: 'deploy/appspec.yaml',
    spec: parseAppSpec(
      `version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: ${container}\n          ContainerPort: ${port}\n`,
      'deploy/appspec.yaml',
    ),
  });
  it.each([
    { name: 'a container and port of the task definition', appSpec: file('web', 8080), containers: [{ name: 'web', ports: [8080] }] },
    { name: 'a container without port mappings (any port)', appSpec: file('web', 3000), containers: [{ name: 'web' }] },
  ])('takes $name', ({ appSpec, containers }) => {
    expect(checkedAppSpec({ appSpec }, rendered(containers))).toBe(appSpec.spec);
  });

  it.each([
    {
      name: 'a container the task definition lacks',
      appSpec: file('frontend', 8080),
      message: `input 'appspec': deploy/appspec.yaml: LoadBalancerInfo.ContainerName "frontend" is not a container of the task definition (have: web, envoy)`,
    },
    {
      name: 'a port the container does not map',
      appSpec: file('web', 80),
      message:
        "input 'appspec': deploy/appspec.yaml: LoadBalancerInfo.ContainerPort 80 is not a port of container web (it maps 8080, 8443)",
    },
  ])('refuses $name', ({ appSpec, message }) => {
    const error = errorOf(() => checkedAppSpec({ appSpec }, rendered([{ name: 'web', ports: [8080, 8443] }, { name: 'envoy' }])));
    expect(error.message).toBe(message);
    expect(error.input).toBe('appspec');
  });
});
