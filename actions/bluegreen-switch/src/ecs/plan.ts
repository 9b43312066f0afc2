import type { CheckPlan } from '@expeditor/analysis/plan';
import { environmentOf, loadConfig, type AnalysisConfig, type EcsConfig } from '@expeditor/shared/config';
import { ExpeditorError, InputError, ProblemsError } from '@expeditor/shared/errors';
import { Settings } from '@expeditor/shared/settings';
import { defaultCodeDeployNames } from '@expeditor/codedeploy/group';
import { planEcsAnalysis } from './analysis-plan.ts';
import type { EcsSwitchInputs } from './inputs.ts';

export type SwitchAction = 'switch' | 'rollback' | 'cleanup';

export interface EcsSwitchPlan {
  action: SwitchAction;
  environment: string | undefined;
  region: string | undefined;
  deploymentId: string | undefined;
  /** The group whose newest fitting deployment is used when no id is given. */
  group: { application: string; group: string } | undefined;
  previousTaskDefinition: string | undefined;
  /** The checks that gate a switch (pre, post); undefined without any. */
  analysis: CheckPlan[] | undefined;
  settings: Settings;
}

export interface EcsPlanCommon {
  action: SwitchAction;
  environment: string | undefined;
  config: string;
}

export function planEcsSwitch(common: EcsPlanCommon, inputs: EcsSwitchInputs, context: { workspace: string }): EcsSwitchPlan {
  const envName = common.environment;
  let ecs: EcsConfig | undefined;
  let region: string | undefined;
  let analysisFile: AnalysisConfig | undefined;
  if (envName) {
    const env = environmentOf(loadConfig(context.workspace, common.config), envName, common.config);
    region = env.aws.region;
    ecs = env.ecs;
    analysisFile = env.analysis;
    if (!ecs && !inputs.deploymentId && !(inputs.codedeployApplication && inputs.codedeployDeploymentGroup)) {
      throw new ExpeditorError(`environment ${envName} in ${common.config} has no ecs section`, {
        key: `environments.${envName}.ecs`,
        unchanged: 'nothing was changed',
        next: 'give the deployment-id input, or set environments.<name>.ecs (cluster, service, codedeploy)',
      });
    }
  }
  const settings = new Settings();
  const key = (k: string): string => `environments.${envName}.ecs.${k}`;
  const pick = (name: string, input: string, value: string | undefined, fileKey: string, fileValue: string | undefined) =>
    settings.pick(name, { name: input, value }, ecs ? { key: key(fileKey), value: fileValue } : undefined);

  const deploymentId = pick('deployment', 'deployment-id', inputs.deploymentId, '', undefined);
  const cluster = pick('cluster', 'cluster', inputs.cluster, 'cluster', ecs?.cluster);
  const service = pick('service', 'service', inputs.service, 'service', ecs?.service);
  const defaults = cluster && service ? defaultCodeDeployNames(cluster, service) : undefined;
  const application =
    pick(
      'CodeDeploy application',
      'codedeploy-application',
      inputs.codedeployApplication,
      'codedeploy.application',
      ecs?.codedeploy?.application,
    ) ?? defaults?.application;
  const group =
    pick(
      'CodeDeploy group',
      'codedeploy-deployment-group',
      inputs.codedeployDeploymentGroup,
      'codedeploy.deployment-group',
      ecs?.codedeploy?.['deployment-group'],
    ) ?? defaults?.group;
  if (!deploymentId && !(application && group)) {
    throw new InputError(
      'deployment-id',
      'is required unless the CodeDeploy application and group, or the ECS cluster and service, are given',
      "pass deploy-ecs's deployment-id output, or the environment whose ecs settings name the service",
    );
  }
  const previousTaskDefinition = pick('rollback task definition', 'task-definition', inputs.taskDefinition, '', undefined);
  const problems: ExpeditorError[] = [];
  const analysis = planEcsAnalysis({ input: inputs.analysis, file: analysisFile, environment: envName }, common.action, {
    settings,
    problems,
  });
  if (problems.length > 0) throw new ProblemsError(`${problems.length} problems with the inputs of bluegreen-switch`, problems);
  return {
    action: common.action,
    environment: envName,
    region,
    deploymentId,
    group: application && group ? { application, group } : undefined,
    previousTaskDefinition,
    analysis,
    settings,
  };
}
