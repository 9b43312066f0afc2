// The AppSpec of a blue/green deployment, decided from plain data before anything is registered:
// generated from the service (its load-balanced container and port, Fargate's platform version),
// or the user's file checked against the task definition to register. No network.
import type { Service } from '@aws-sdk/client-ecs';
import { quote } from '@expeditor/shared/inputs';
import { generateAppSpec, targetOf, type AppSpec } from '@expeditor/codedeploy/appspec';
import type { DeployEcsPlan } from './plan.ts';
import { serviceOriginError } from './service.ts';
import { containerPorts, type Rendered } from './task-definition.ts';

/** The AppSpec for the service's load balancer, with TaskDefinition still to be set. */
export function generatedAppSpec(plan: Pick<DeployEcsPlan, 'containerPort' | 'hooks'>, service: Service, rendered: Rendered): AppSpec {
  const lb = service.loadBalancers?.find((l) => l.containerName) ?? service.loadBalancers?.[0];
  const containerName = lb?.containerName ?? rendered.container;
  const port = plan.containerPort ?? lb?.containerPort ?? containerPorts(rendered.input, containerName)[0];
  if (!rendered.input.containerDefinitions?.some((c) => c.name === containerName)) {
    throw serviceOriginError(
      { input: 'task-definition' },
      `the service's load balancer sends traffic to container ${quote(containerName)}, which the task definition does not have`,
      'keep the load-balanced container in the task definition',
    );
  }
  if (!port) {
    throw serviceOriginError(
      { input: 'container-port' },
      `container ${containerName} has no port mapping and the service no load balancer port`,
      'give the container port that receives traffic',
    );
  }
  const fargate =
    service.launchType === 'FARGATE' || service.capacityProviderStrategy?.some((c) => c.capacityProvider?.startsWith('FARGATE'));
  return generateAppSpec({
    taskDefinitionArn: '(registered next)',
    containerName,
    containerPort: port,
    platformVersion: fargate ? (service.platformVersion ?? undefined) : undefined,
    hooks: plan.hooks,
  });
}

/** The user's AppSpec, once its container and port are the task definition's. */
export function checkedAppSpec(plan: Pick<DeployEcsPlan, 'appSpec'>, rendered: Rendered): AppSpec {
  const appSpec = plan.appSpec;
  if (!appSpec) throw new Error('no AppSpec file');
  const target = targetOf(appSpec.spec);
  const name = target.LoadBalancerInfo.ContainerName;
  const container = rendered.input.containerDefinitions?.find((c) => c.name === name);
  if (!container) {
    const names = (rendered.input.containerDefinitions ?? []).map((c) => c.name).join(', ');
    throw serviceOriginError(
      { input: appSpec.input ?? 'appspec' },
      `${appSpec.file}: LoadBalancerInfo.ContainerName ${quote(name)} is not a container of the task definition (have: ${names})`,
    );
  }
  const ports = containerPorts(rendered.input, name);
  const port = Number(target.LoadBalancerInfo.ContainerPort);
  if (ports.length > 0 && !ports.includes(port)) {
    throw serviceOriginError(
      { input: appSpec.input ?? 'appspec' },
      `${appSpec.file}: LoadBalancerInfo.ContainerPort ${port} is not a port of container ${name} (it maps ${ports.join(', ')})`,
    );
  }
  return appSpec.spec;
}
