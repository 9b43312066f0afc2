import { ExpeditorError } from '@expeditor/shared/errors';
import { configExists, environmentOf, loadConfig, type ExpeditorConfig } from '@expeditor/shared/config';
import type { GitHubContext } from '@expeditor/shared/context';
import type { Log } from '@expeditor/shared/log';
import type { GitHubClient } from '@expeditor/shared/github/client';
import {
  currentDeployment,
  digestOf,
  findPassedDeployment,
  finishDeployment,
  promotionGate,
  setStatus,
  startDeployment,
  type DeploymentPayload,
  type FinalState,
  type PassedDeployment,
  type StartDeploymentOptions,
} from '@expeditor/shared/github/deployments';
import type { RecordInputs } from './inputs.ts';

export interface RecordDeps {
  github: GitHubClient;
  context: Pick<GitHubContext, 'sha' | 'runUrl' | 'workspace'>;
  log: Log;
}

export type RecordOutputs = Partial<
  Record<
    | 'deployment-id'
    | 'image'
    | 'digest'
    | 'sha'
    | 'platform'
    | 'strategy'
    | 'route'
    | 'wait-until'
    | 'environment-url'
    | 'promote-from'
    | 'rolled-back-id',
    string
  >
>;

/** What the environment file (when there is one) and the inputs say about the environment. */
export interface EnvironmentPlan {
  platform: 'ecs' | 'eks' | undefined;
  strategy: 'rolling' | 'blue-green' | undefined;
  route: 'service' | 'ingress' | undefined;
  waitUntil: string | undefined;
  url: string | undefined;
  promoteFrom: string | undefined;
  production: boolean;
  app: string | undefined;
}

/** What a run recorded, for the step summary; a finish reports nothing. */
export type RecordReport =
  | { mode: 'gate'; from: string; to: string; passed: PassedDeployment }
  | {
      mode: 'start';
      environment: string;
      image: string;
      sha: string;
      plan: EnvironmentPlan;
      passed: PassedDeployment | undefined;
      deploymentId: number;
    }
  | { mode: 'rollback'; environment: string; current: PassedDeployment; previous: PassedDeployment; deploymentId: number }
  | { mode: 'finish' }
  | { mode: 'check' };

export interface RecordRun {
  outputs: RecordOutputs;
  report: RecordReport;
}

export function planEnvironment(inputs: RecordInputs, config: ExpeditorConfig | undefined): EnvironmentPlan {
  const env = config ? environmentOf(config, inputs.environment, inputs.config) : undefined;
  const filePlatform = env?.ecs ? 'ecs' : env?.eks ? 'eks' : undefined;
  if (inputs.platform && filePlatform && inputs.platform !== filePlatform) {
    throw new ExpeditorError(
      `input 'platform' is ${inputs.platform} but ${inputs.config} deploys ${inputs.environment} to ${filePlatform}`,
      {
        input: 'platform',
        unchanged: 'nothing was recorded or deployed',
        next: "leave 'platform' empty to use the file's, or fix the file",
      },
    );
  }
  const platform = inputs.platform ?? filePlatform;
  // ECS without a strategy is detected by deploy-ecs from the service; a codedeploy section can only
  // mean blue/green. Left unknown, the workflows redeploy (rollback) and never hold at Ready.
  const strategy = inputs.strategy ?? env?.ecs?.strategy ?? (env?.ecs?.codedeploy ? 'blue-green' : undefined) ?? env?.eks?.strategy;
  const promotedFromHere = config ? Object.values(config.environments).some((e) => e['promote-from'] === inputs.environment) : false;
  const fileFrom = env?.['promote-from'];
  return {
    platform,
    strategy,
    route: platform === 'eks' ? (env?.eks?.route ?? 'service') : undefined,
    // ECS blue/green stops at Ready unless the file says otherwise, so the switch step moves traffic.
    waitUntil: platform === 'ecs' && strategy === 'blue-green' ? (env?.ecs?.['wait-until'] ?? 'ready') : undefined,
    url: inputs.environmentUrl ?? env?.url,
    promoteFrom: inputs.promoteFrom === 'none' ? undefined : (inputs.promoteFrom ?? fileFrom),
    production: inputs.production === 'auto' ? config !== undefined && !promotedFromHere : inputs.production === 'true',
    app: config?.app,
  };
}

function readConfig(inputs: RecordInputs, workspace: string): ExpeditorConfig | undefined {
  // The file is optional: without it the inputs say everything. One that is there but cannot be
  // read is an error (configExists), so the promotion gate fails closed.
  if (!configExists(workspace, inputs.config)) return undefined;
  return loadConfig(workspace, inputs.config);
}

export async function runDeploymentRecord(inputs: RecordInputs, deps: RecordDeps): Promise<RecordRun> {
  const config = readConfig(inputs, deps.context.workspace);
  const plan = planEnvironment(inputs, config);
  if (inputs.mode === 'check') return { outputs: check(inputs, config, plan), report: { mode: 'check' } };
  if (inputs.mode === 'gate') return gate(inputs, plan, deps);
  if (inputs.mode === 'finish') return { outputs: await finish(inputs, deps), report: { mode: 'finish' } };
  return inputs.rollback ? startRollback(inputs, plan, deps) : start(inputs, plan, deps);
}

function planOutputs(plan: EnvironmentPlan): RecordOutputs {
  return {
    platform: plan.platform ?? '',
    strategy: plan.strategy ?? '',
    route: plan.route ?? '',
    'wait-until': plan.waitUntil ?? '',
    'environment-url': plan.url ?? '',
    'promote-from': plan.promoteFrom ?? '',
  };
}

/** The environment the gate checks against; refused when the environment is promoted from none. */
export function gateFrom(inputs: Pick<RecordInputs, 'environment' | 'config'>, plan: Pick<EnvironmentPlan, 'promoteFrom'>): string {
  if (!plan.promoteFrom) {
    throw new ExpeditorError(`${inputs.environment} has no environment to be promoted from`, {
      input: 'promote-from',
      unchanged: 'nothing was deployed',
      next: `set environments.${inputs.environment}.promote-from in ${inputs.config}, or give 'promote-from'`,
    });
  }
  return plan.promoteFrom;
}

/**
 * A dispatched environment name, checked against the environment file before any job takes it as
 * a GitHub environment (a name GitHub does not know becomes a new, unprotected environment).
 * The environment's own-key lookup is planEnvironment's; here the file must exist too.
 */
export function check(inputs: RecordInputs, config: ExpeditorConfig | undefined, plan: EnvironmentPlan): RecordOutputs {
  if (!config) {
    throw new ExpeditorError(`environment file ${inputs.config} does not exist: the environment ${inputs.environment} cannot be checked`, {
      input: 'config',
      unchanged: 'nothing was recorded or deployed',
      next: "commit the environment file, or point the 'config' input at it",
    });
  }
  return planOutputs(plan);
}

async function gate(inputs: RecordInputs, plan: EnvironmentPlan, deps: RecordDeps): Promise<RecordRun> {
  const from = gateFrom(inputs, plan);
  const passed = await deps.log.group(`Promotion gate: ${from} → ${inputs.environment}`, () =>
    promotionGate(deps.github, {
      from,
      to: inputs.environment,
      ...(inputs.digest ? { digest: inputs.digest } : {}),
      ...(inputs.commit ? { sha: inputs.commit } : {}),
    }),
  );
  deps.log.info(`${passed.payload.image} passed ${from} (deployment ${passed.id}, commit ${passed.sha}, ${passed.passedAt})`);
  return {
    outputs: { ...planOutputs(plan), image: passed.payload.image, digest: passed.payload.digest, sha: passed.sha },
    report: { mode: 'gate', from, to: inputs.environment, passed },
  };
}

/** What a new Deployment says about the environment and the run, for a deploy and a rollback alike. */
function describedBy(
  plan: EnvironmentPlan,
  runUrl: string | undefined,
): Pick<StartDeploymentOptions, 'app' | 'platform' | 'strategy' | 'logUrl' | 'environmentUrl' | 'production'> {
  return {
    ...(plan.app ? { app: plan.app } : {}),
    ...(plan.platform ? { platform: plan.platform } : {}),
    ...(plan.strategy ? { strategy: plan.strategy } : {}),
    ...(runUrl ? { logUrl: runUrl } : {}),
    ...(plan.url ? { environmentUrl: plan.url } : {}),
    production: plan.production,
  };
}

/** The Deployment a deploy starts: the image (refused unless by digest) at the run's commit. */
export function deployment(
  image: string,
  environment: string,
  sha: string,
  plan: EnvironmentPlan,
  runUrl: string | undefined,
): StartDeploymentOptions & { digest: string } {
  const digest = digestOf(image);
  if (!digest) {
    throw new ExpeditorError(`input 'image': ${image} is not by digest (repository@sha256:…)`, {
      input: 'image',
      unchanged: 'nothing was recorded or deployed',
      next: "deploy build-image's image output, which is always by digest",
    });
  }
  return { sha, environment, image, ...describedBy(plan, runUrl), digest };
}

/** The Deployment a rollback starts: the previous passed image at its own commit, naming the one it replaces. */
export function rollbackDeployment(
  environment: string,
  current: PassedDeployment,
  previous: PassedDeployment,
  plan: EnvironmentPlan,
  runUrl: string | undefined,
): StartDeploymentOptions {
  return {
    sha: previous.sha,
    environment,
    image: previous.payload.image,
    ...describedBy(plan, runUrl),
    description: `rollback from deployment ${current.id}`,
    rollbackOf: current.id,
  };
}

/** The status a finish records and its description: a cancelled run counts as an error. */
export function finishStatus(state: RecordInputs['state']): { state: FinalState; description: string } {
  const final = state === 'cancelled' ? 'error' : (state ?? 'error');
  return { state: final, description: state === 'cancelled' ? 'cancelled' : final === 'success' ? 'deployed' : `deploy ${final}` };
}

async function start(inputs: RecordInputs, plan: EnvironmentPlan, deps: RecordDeps): Promise<RecordRun> {
  const { digest, ...options } = deployment(inputs.image ?? '', inputs.environment, deps.context.sha, plan, deps.context.runUrl);
  const image = options.image;
  let passed: PassedDeployment | undefined;
  if (plan.promoteFrom) {
    const from = plan.promoteFrom;
    passed = await deps.log.group(`Promotion gate: ${from} → ${inputs.environment}`, () =>
      promotionGate(deps.github, { from, to: inputs.environment, digest }),
    );
    deps.log.info(`${digest} passed ${from} (deployment ${passed.id}, ${passed.passedAt})`);
  }
  const record = await startDeployment(deps.github, options);
  deps.log.info(`GitHub Deployment ${record.id}: ${image} to ${inputs.environment}, in progress`);
  return {
    outputs: { ...planOutputs(plan), 'deployment-id': String(record.id), image, digest, sha: deps.context.sha },
    report: { mode: 'start', environment: inputs.environment, image, sha: deps.context.sha, plan, passed, deploymentId: record.id },
  };
}

async function startRollback(inputs: RecordInputs, plan: EnvironmentPlan, deps: RecordDeps): Promise<RecordRun> {
  const current = await currentDeployment(deps.github, inputs.environment);
  if (!current) {
    throw new ExpeditorError(`${inputs.environment} has no successful deployment to roll back from`, {
      unchanged: 'nothing was switched or recorded',
      next: 'nothing to do, or deploy a known good image with the deploy workflow',
    });
  }
  const previous = await previousImage(deps.github, inputs.environment, current);
  if (!previous) {
    throw new ExpeditorError(`${inputs.environment} has no earlier passed image than ${current.payload.image} to return to`, {
      unchanged: 'nothing was switched or recorded',
      next: 'deploy a known good image with the deploy workflow',
    });
  }
  const record = await startDeployment(deps.github, rollbackDeployment(inputs.environment, current, previous, plan, deps.context.runUrl));
  deps.log.info(
    `GitHub Deployment ${record.id}: rolling ${inputs.environment} back from ${current.payload.image} (deployment ${current.id}) to ${previous.payload.image}`,
  );
  return {
    outputs: {
      ...planOutputs(plan),
      'promote-from': '',
      'deployment-id': String(record.id),
      image: previous.payload.image,
      digest: previous.payload.digest,
      sha: previous.sha,
      'rolled-back-id': String(current.id),
    },
    report: { mode: 'rollback', environment: inputs.environment, current, previous, deploymentId: record.id },
  };
}

/** The newest passed deployment of the environment with another digest than the current one. */
async function previousImage(github: GitHubClient, environment: string, current: PassedDeployment): Promise<PassedDeployment | undefined> {
  return findPassedDeployment(github, { environment, except: current.payload.digest, before: current.id });
}

async function finish(inputs: RecordInputs, deps: RecordDeps): Promise<RecordOutputs> {
  const id = inputs.deploymentId ?? 0;
  const { state, description } = finishStatus(inputs.state);
  const { data } = await deps.github.request<{ environment: string; payload: Partial<DeploymentPayload> & { rollbackOf?: number } }>(
    'GET /repos/{owner}/{repo}/deployments/{deployment_id}',
    { deployment_id: id },
  );
  if (data.environment !== inputs.environment) {
    throw new ExpeditorError(`deployment ${id} is for ${data.environment}, not ${inputs.environment}`, {
      input: 'deployment-id',
      unchanged: 'no status was recorded',
    });
  }
  const config = readConfig(inputs, deps.context.workspace);
  const url = inputs.environmentUrl ?? (config ? environmentOf(config, inputs.environment, inputs.config).url : undefined);
  await finishDeployment(deps.github, id, state, {
    ...(deps.context.runUrl ? { logUrl: deps.context.runUrl } : {}),
    ...(url ? { environmentUrl: url } : {}),
    description,
  });
  deps.log.info(`GitHub Deployment ${id}: ${state}`);
  // A rollback that went through undoes the pass of the deployment it replaced.
  if (state === 'success' && typeof data.payload.rollbackOf === 'number') {
    await setStatus(deps.github, data.payload.rollbackOf, 'error', {
      description: `rolled back by deployment ${id}`,
      ...(deps.context.runUrl ? { logUrl: deps.context.runUrl } : {}),
    });
    deps.log.info(`GitHub Deployment ${data.payload.rollbackOf}: marked rolled back`);
  }
  return { 'deployment-id': String(id), 'environment-url': url ?? '' };
}
