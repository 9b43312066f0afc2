// deploy-ecs's inputs, validated before anything else happens. Values the environment file can
// also give stay undefined when not set here, so the file's value is used (explicit inputs win).
import type { ActionInputs } from '@expeditor/shared/inputs';
import { hookNames, type HookName } from '@expeditor/codedeploy/hooks';
import {
  codeDeployName,
  ecsClusterRef,
  ecsServiceRef,
  environmentName,
  imageReference,
  secretReference,
  variableName,
} from '@expeditor/shared/patterns';

export type Strategy = 'rolling' | 'blue-green';
export type WaitUntil = 'succeeded' | 'ready' | 'none';

export type { HookName };

/** A Lambda function for a CodeDeploy hook: its ARN (optionally with a version or alias) or its name. */
const lambdaFunction = /^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$/;

export interface DeployEcsInputs {
  image: string;
  environment: string | undefined;
  /** Path of the environment file, relative to the workspace (read only with an environment). */
  config: string;
  cluster: string | undefined;
  service: string | undefined;
  container: string | undefined;
  taskDefinition: string | undefined;
  strategy: Strategy | 'auto' | undefined;
  codedeployApplication: string | undefined;
  codedeployDeploymentGroup: string | undefined;
  deploymentConfig: string | undefined;
  appspec: string | undefined;
  containerPort: number | undefined;
  hooks: Partial<Record<HookName, string>>;
  vars: Record<string, string>;
  secrets: Record<string, string>;
  waitUntil: WaitUntil | undefined;
  requireDigest: boolean;
  timeoutMs: number;
}

export function readDeployEcsInputs(inputs: ActionInputs): DeployEcsInputs {
  // Relative to the workspace or absolute (${{ github.workspace }}/…, $RUNNER_TEMP/…): where it
  // really leads, after links, is checked when the file is read (the file rule).
  const path = (name: string): string | undefined => inputs.string(name, { maxLength: 1024 });
  const result: DeployEcsInputs = {
    image: inputs.string('image', { required: true, pattern: imageReference, expected: 'an image reference such as repo@sha256:…' }),
    environment: inputs.string('environment', { pattern: environmentName, expected: 'an environment name' }),
    config: inputs.string('config', { maxLength: 1024 }) ?? '.github/expeditor.yml',
    cluster: inputs.string('cluster', { pattern: ecsClusterRef, expected: 'an ECS cluster name or ARN' }),
    service: inputs.string('service', { pattern: ecsServiceRef, expected: 'an ECS service name or ARN' }),
    container: inputs.string('container', { pattern: /^[A-Za-z0-9_-]{1,255}$/, expected: 'a container name' }),
    taskDefinition: path('task-definition'),
    strategy: inputs.choice('strategy', ['auto', 'rolling', 'blue-green'] as const),
    codedeployApplication: inputs.string('codedeploy-application', { pattern: codeDeployName, expected: 'a CodeDeploy application name' }),
    codedeployDeploymentGroup: inputs.string('codedeploy-deployment-group', {
      pattern: codeDeployName,
      expected: 'a CodeDeploy deployment group name',
    }),
    deploymentConfig: inputs.string('deployment-config', {
      pattern: codeDeployName,
      expected: 'a deployment config name such as CodeDeployDefault.ECSAllAtOnce',
    }),
    appspec: path('appspec'),
    containerPort: inputs.integer('container-port', { min: 1, max: 65535 }),
    hooks: readHooks(inputs),
    vars: inputs.keyValues('vars'),
    secrets: readSecrets(inputs),
    waitUntil: inputs.choice('wait-until', ['succeeded', 'ready', 'none'] as const),
    requireDigest: inputs.boolean('require-digest', false),
    timeoutMs: inputs.duration('timeout', '30m'),
  };
  for (const name of Object.keys(result.vars)) {
    if (!variableName.test(name)) inputs.problem('vars', `expected a variable name, got ${JSON.stringify(name)}`);
  }
  // Only when not given at all: a given but malformed value already has its own problem. The
  // cluster defaults to ECS's own `default`, as the ECS APIs do.
  if (!result.environment && !inputs.raw('service')) inputs.problem('service', 'is required when no environment is given');
  if (result.requireDigest && !/@sha256:[a-f0-9]{64}$/.test(result.image)) {
    inputs.problem(
      'image',
      `must name the image by digest (repo@sha256:…) because require-digest is true, got ${JSON.stringify(result.image)}`,
    );
  }
  if (result.appspec && Object.keys(result.hooks).length > 0) {
    inputs.problem('hooks', 'applies to the generated AppSpec only; put the hooks in the appspec file instead');
  }
  inputs.done('deploy-ecs');
  return result;
}

function readHooks(inputs: ActionInputs): Partial<Record<HookName, string>> {
  const hooks: Partial<Record<HookName, string>> = {};
  for (const [name, fn] of Object.entries(inputs.keyValues('hooks'))) {
    if (!(hookNames as readonly string[]).includes(name)) {
      inputs.problem('hooks', `unknown lifecycle hook ${JSON.stringify(name)} (have: ${hookNames.join(', ')})`);
    } else if (!lambdaFunction.test(fn)) {
      inputs.problem('hooks', `${name}: expected a Lambda function name or ARN, got ${JSON.stringify(fn)}`);
    } else {
      hooks[name as HookName] = fn;
    }
  }
  return hooks;
}

function readSecrets(inputs: ActionInputs): Record<string, string> {
  const secrets = inputs.keyValues('secrets');
  for (const [name, ref] of Object.entries(secrets)) {
    if (!variableName.test(name)) inputs.problem('secrets', `expected a variable name, got ${JSON.stringify(name)}`);
    else if (!secretReference.test(ref)) {
      inputs.problem(
        'secrets',
        `${name}: expected a Secrets Manager or Parameter Store ARN, or a parameter name, got ${JSON.stringify(ref)}`,
      );
    }
  }
  return secrets;
}
