// The AWS clients deploy-ecs and bluegreen-switch use, created at the edge once the inputs are
// valid (the SDK modules load only then). Retries are ours, by error kind (see aws-call.ts), so
// the SDK's own are off.
import { ExpeditorError } from '@expeditor/shared/errors';
import type { EcsClients } from './deploy.ts';

export async function createEcsClients(region: string | undefined): Promise<EcsClients & { destroy(): void }> {
  const [{ ECSClient }, { CodeDeployClient }] = await Promise.all([import('@aws-sdk/client-ecs'), import('@aws-sdk/client-codedeploy')]);
  const config = { ...(region ? { region } : {}), maxAttempts: 1 };
  const ecs = new ECSClient(config);
  const codedeploy = new CodeDeployClient(config);
  let resolved: string;
  try {
    resolved = await ecs.config.region();
  } catch {
    resolved = '';
  }
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
