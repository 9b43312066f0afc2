import type { ECSClient } from '@aws-sdk/client-ecs';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { clientConfig, requireRegion } from '@expeditor/aws/clients';

/** ECS and CodeDeploy, which a blue/green deployment on ECS needs together. */
export interface EcsClients {
  ecs: ECSClient;
  codedeploy: CodeDeployClient;
  /** The clients' region, for console links. */
  region: string;
  /** CloudWatch, made only when the deployment is watched by alarms (their existence and state). */
  cloudwatch?: CloudWatchClient | undefined;
}

export async function createEcsClients(
  region: string | undefined,
  options: { cloudwatch?: boolean } = {},
): Promise<EcsClients & { destroy(): void }> {
  const [{ ECSClient }, { CodeDeployClient }] = await Promise.all([import('@aws-sdk/client-ecs'), import('@aws-sdk/client-codedeploy')]);
  const config = clientConfig(region);
  const ecs = new ECSClient(config);
  const codedeploy = new CodeDeployClient(config);
  // Loaded only when asked: most deployments have no alarms, and the module costs start-up time.
  const cloudwatch = options.cloudwatch ? new (await import('@aws-sdk/client-cloudwatch')).CloudWatchClient(config) : undefined;
  const resolved = await requireRegion(ecs, 'no AWS region is set');
  return {
    ecs,
    codedeploy,
    cloudwatch,
    region: resolved,
    destroy() {
      ecs.destroy();
      codedeploy.destroy();
      cloudwatch?.destroy();
    },
  };
}
