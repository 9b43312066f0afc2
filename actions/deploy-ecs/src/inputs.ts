// deploy-ecs's inputs, validated before anything else happens. Values the environment file can
// also give stay undefined when not set here, so the file's value is used (explicit inputs win).
import type { ActionInputs } from '@expeditor/shared/inputs';
import { hookNames, type HookName } from '@expeditor/codedeploy/hooks';
import { codeDeployName, ecsName, environmentName, escapesWorkspace, imageReference, secretReference } from '@expeditor/shared/patterns';

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
  const path = (name: string): string | undefined => {
    const value = inputs.string(name, { maxLength: 1024 });
    if (value && escapesWorkspace(value)) return inputs.problem(name, 'must be a path inside the workspace (relative, without ..)');
    return value;
  };
  const result: DeployEcsInputs = {
    image: inputs.string('image', { required: true, pattern: imageReference, expected: 'an image reference such as repo@sha256:…' }),
    environment: inputs.string('environment', { pattern: environmentName, expected: 'an environment name' }),
    config: path('config') ?? '.github/expeditor.yml',
    cluster: inputs.string('cluster', { pattern: ecsName, expected: 'an ECS cluster name' }),
    service: inputs.string('service', { pattern: ecsName, expected: 'an ECS service name' }),
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
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) inputs.problem('vars', `expected a variable name, got ${JSON.stringify(name)}`);
  }
  if (!result.environment) {
    if (!result.cluster) inputs.problem('cluster', 'is required when no environment is given');
    if (!result.service) inputs.problem('service', 'is required when no environment is given');
  }
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
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) inputs.problem('secrets', `expected a variable name, got ${JSON.stringify(name)}`);
    else if (!secretReference.test(ref)) {
      inputs.problem('secrets', `${name}: expected a Secrets Manager or Parameter Store ARN, got ${JSON.stringify(ref)}`);
    }
  }
  return secrets;
}
