// bluegreen-switch's inputs for ECS (read once the platform is known to be ECS): which CodeDeploy
// deployment to continue, stop or clean up, or how to find it, what a rollback returns to, and the
// checks that gate a switch.
import type { ActionInputs } from '@expeditor/shared/inputs';
import { codeDeployName, ecsName } from '@expeditor/shared/patterns';

const taskDefinition = /^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/)?[A-Za-z0-9_-]{1,255}:\d+$/;

export interface EcsSwitchInputs {
  deploymentId: string | undefined;
  cluster: string | undefined;
  service: string | undefined;
  codedeployApplication: string | undefined;
  codedeployDeploymentGroup: string | undefined;
  /** The task definition a rollback after success returns to (else the one deploy-ecs recorded). */
  taskDefinition: string | undefined;
  /** The analysis input: an analysis section as YAML, read by plan.ts. */
  analysis?: string | undefined;
}

export function readEcsSwitchInputs(inputs: ActionInputs): EcsSwitchInputs {
  const result: EcsSwitchInputs = {
    deploymentId: inputs.string('deployment-id', {
      pattern: /^d-[A-Z0-9]{9}$/,
      expected: 'a CodeDeploy deployment id such as d-ABCDE1234',
    }),
    cluster: inputs.string('cluster', { pattern: ecsName, expected: 'an ECS cluster name' }),
    service: inputs.string('service', { pattern: ecsName, expected: 'an ECS service name' }),
    codedeployApplication: inputs.string('codedeploy-application', { pattern: codeDeployName, expected: 'a CodeDeploy application name' }),
    codedeployDeploymentGroup: inputs.string('codedeploy-deployment-group', {
      pattern: codeDeployName,
      expected: 'a CodeDeploy deployment group name',
    }),
    taskDefinition: inputs.string('task-definition', { pattern: taskDefinition, expected: 'a task definition ARN or family:revision' }),
    analysis: inputs.string('analysis', { maxLength: 65_536, multiline: true }),
  };
  inputs.done('bluegreen-switch');
  return result;
}
