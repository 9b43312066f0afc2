import type { ECSClient } from '@aws-sdk/client-ecs';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { clientConfig, requireRegion } from '@expeditor/aws/clients';

/** ECS and CodeDeploy, which a blue/green deployment on ECS needs together. */
export interface EcsClients {
  ecs: ECSClient;
  codedeploy: CodeDeployClient;
  /** The clients' region, for console links. */
  region: string;
}

export async function createEcsClients(region: string | undefined): Promise<EcsClients & { destroy(): void }> {
  const [{ ECSClient }, { CodeDeployClient }] = await Promise.all([import('@aws-sdk/client-ecs'), import('@aws-sdk/client-codedeploy')]);
  const config = clientConfig(region);
  const ecs = new ECSClient(config);
  const codedeploy = new CodeDeployClient(config);
  const resolved = await requireRegion(ecs, 'no AWS region is set');
  return {
    ecs,
    codedeploy,
    region: resolved,
    destroy() {
      ecs.destroy();
      codedeploy.destroy();
    },
  };
}
