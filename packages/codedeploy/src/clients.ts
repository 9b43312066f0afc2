// The AWS clients deploy-ecs and bluegreen-switch use, created at the edge once the inputs are
// valid (the SDK modules load only then). Retries are ours, by error kind (@expeditor/aws/call), so
// the SDK's own are off.
import { ExpeditorError } from '@expeditor/shared/errors';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { clientConfig, resolvedRegion } from '@expeditor/aws/clients';

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
  const resolved = await resolvedRegion(ecs);
  if (!resolved) {
    throw new ExpeditorError('no AWS region is set', {
      key: 'environments.<name>.aws.region',
      unchanged: 'nothing was changed',
      next: 'run assume-env first (it exports AWS_REGION), set AWS_REGION, or give an environment whose aws.region is set',
    });
  }
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
