// The deploy record and promotion gate of the reusable workflows: what the environment file says
// about an environment (platform, strategy, route, url, promote-from), the gate, and the GitHub
// Deployment with its statuses. One function per mode behind one entry, all plain and testable.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ExpeditorError } from '@expeditor/shared/errors';
import { environmentOf, loadConfig, type ExpeditorConfig } from '@expeditor/shared/config';
import type { GitHubContext } from '@expeditor/shared/context';
import type { Log } from '@expeditor/shared/log';
import { Summary } from '@expeditor/shared/summary';
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
  type PassedDeployment,
  type StartDeploymentOptions,
} from '@expeditor/shared/github/deployments';
import type { RecordInputs } from './inputs.ts';

export interface RecordDeps {
  github: GitHubClient;
  context: Pick<GitHubContext, 'sha' | 'runUrl' | 'workspace' | 'stepSummaryPath'>;
  log: Log;
}

export type RecordOutputs = Partial<Record<
  'deployment-id' | 'image' | 'digest' | 'sha' | 'platform' | 'strategy' | 'route' | 'wait-until' | 'environment-url' | 'promote-from' | 'rolled-back-id',
  string
>>;

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

export function planEnvironment(inputs: RecordInputs, config: ExpeditorConfig | undefined): EnvironmentPlan {
  const env = config ? environmentOf(config, inputs.environment, inputs.config) : undefined;
  const filePlatform = env?.ecs ? 'ecs' : env?.eks ? 'eks' : undefined;
  if (inputs.platform && filePlatform && inputs.platform !== filePlatform) {
    throw new ExpeditorError(`input 'platform' is ${inputs.platform} but ${inputs.config} deploys ${inputs.environment} to ${filePlatform}`, {
      input: 'platform',
      unchanged: 'nothing was recorded or deployed',
      next: "leave 'platform' empty to use the file's, or fix the file",
    });
  }
  const platform = inputs.platform ?? filePlatform;
  const strategy = inputs.strategy ?? env?.ecs?.strategy ?? env?.eks?.strategy;
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
  const path = join(workspace, inputs.config);
  // The file is optional: without it the inputs say everything.
  if (!existsSync(path)) return undefined;
  return loadConfig(path, inputs.config);
}

export async function runDeploymentRecord(inputs: RecordInputs, deps: RecordDeps): Promise<RecordOutputs> {
  const config = readConfig(inputs, deps.context.workspace);
  const plan = planEnvironment(inputs, config);
  if (inputs.mode === 'gate') return gate(inputs, plan, deps);
  if (inputs.mode === 'finish') return finish(inputs, deps);
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

async function gate(inputs: RecordInputs, plan: EnvironmentPlan, deps: RecordDeps): Promise<RecordOutputs> {
  if (!plan.promoteFrom) {
    throw new ExpeditorError(`${inputs.environment} has no environment to be promoted from`, {
      input: 'promote-from',
      unchanged: 'nothing was deployed',
      next: `set environments.${inputs.environment}.promote-from in ${inputs.config}, or give 'promote-from'`,
    });
  }
  const from = plan.promoteFrom;
  const passed = await deps.log.group(`Promotion gate: ${from} → ${inputs.environment}`, () =>
    promotionGate(deps.github, {
      from,
      to: inputs.environment,
      ...(inputs.digest ? { digest: inputs.digest } : {}),
      ...(inputs.commit ? { sha: inputs.commit } : {}),
    }),
  );
  deps.log.info(`${passed.payload.image} passed ${from} (deployment ${passed.id}, commit ${passed.sha}, ${passed.passedAt})`);
  writeGateSummary(deps, from, inputs.environment, passed);
  return { ...planOutputs(plan), image: passed.payload.image, digest: passed.payload.digest, sha: passed.sha };
}

/** What a new Deployment says about the environment and the run, for a deploy and a rollback alike. */
function describedBy(plan: EnvironmentPlan, deps: RecordDeps): Pick<StartDeploymentOptions, 'app' | 'platform' | 'strategy' | 'logUrl' | 'environmentUrl' | 'production'> {
  return {
    ...(plan.app ? { app: plan.app } : {}),
    ...(plan.platform ? { platform: plan.platform } : {}),
    ...(plan.strategy ? { strategy: plan.strategy } : {}),
    ...(deps.context.runUrl ? { logUrl: deps.context.runUrl } : {}),
    ...(plan.url ? { environmentUrl: plan.url } : {}),
    production: plan.production,
  };
}

async function start(inputs: RecordInputs, plan: EnvironmentPlan, deps: RecordDeps): Promise<RecordOutputs> {
  const image = inputs.image ?? '';
  const digest = digestOf(image);
  if (!digest) {
    throw new ExpeditorError(`input 'image': ${image} is not by digest (repository@sha256:…)`, {
      input: 'image',
      unchanged: 'nothing was recorded or deployed',
      next: "deploy build-image's image output, which is always by digest",
    });
  }
  let passed: PassedDeployment | undefined;
  if (plan.promoteFrom) {
    const from = plan.promoteFrom;
    passed = await deps.log.group(`Promotion gate: ${from} → ${inputs.environment}`, () =>
      promotionGate(deps.github, { from, to: inputs.environment, digest }),
    );
    deps.log.info(`${digest} passed ${from} (deployment ${passed.id}, ${passed.passedAt})`);
  }
  const record = await startDeployment(deps.github, {
    sha: deps.context.sha,
    environment: inputs.environment,
    image,
    ...describedBy(plan, deps),
  });
  deps.log.info(`GitHub Deployment ${record.id}: ${image} to ${inputs.environment}, in progress`);
  new Summary()
    .heading(`Deployment to ${inputs.environment} recorded`, 3)
    .facts([
      ['environment', inputs.environment],
      ['image', image],
      ['commit', deps.context.sha],
      ['platform', [plan.platform, plan.strategy, plan.route].filter(Boolean).join(', ') || undefined],
      ['promotion gate', plan.promoteFrom ? `passed ${plan.promoteFrom} (deployment ${passed?.id})` : 'none (no promote-from)'],
      ['GitHub Deployment', String(record.id)],
    ])
    .write(deps.context.stepSummaryPath);
  return { ...planOutputs(plan), 'deployment-id': String(record.id), image, digest, sha: deps.context.sha };
}

async function startRollback(inputs: RecordInputs, plan: EnvironmentPlan, deps: RecordDeps): Promise<RecordOutputs> {
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
  const record = await startDeployment(deps.github, {
    sha: previous.sha,
    environment: inputs.environment,
    image: previous.payload.image,
    ...describedBy(plan, deps),
    description: `rollback from deployment ${current.id}`,
    rollbackOf: current.id,
  });
  deps.log.info(`GitHub Deployment ${record.id}: rolling ${inputs.environment} back from ${current.payload.image} (deployment ${current.id}) to ${previous.payload.image}`);
  new Summary()
    .heading(`Rollback of ${inputs.environment} recorded`, 3)
    .facts([
      ['from', `${current.payload.image} (deployment ${current.id})`],
      ['to', `${previous.payload.image} (deployment ${previous.id}, commit ${previous.sha})`],
      ['GitHub Deployment', String(record.id)],
    ])
    .write(deps.context.stepSummaryPath);
  return {
    ...planOutputs(plan),
    'promote-from': '',
    'deployment-id': String(record.id),
    image: previous.payload.image,
    digest: previous.payload.digest,
    sha: previous.sha,
    'rolled-back-id': String(current.id),
  };
}

/** The newest passed deployment of the environment with another digest than the current one. */
async function previousImage(github: GitHubClient, environment: string, current: PassedDeployment): Promise<PassedDeployment | undefined> {
  return findPassedDeployment(github, { environment, except: current.payload.digest, before: current.id });
}

async function finish(inputs: RecordInputs, deps: RecordDeps): Promise<RecordOutputs> {
  const id = inputs.deploymentId ?? 0;
  const state = inputs.state === 'cancelled' ? 'error' : (inputs.state ?? 'error');
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
  const description = inputs.state === 'cancelled' ? 'cancelled' : state === 'success' ? 'deployed' : `deploy ${state}`;
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

function writeGateSummary(deps: RecordDeps, from: string, to: string, passed: PassedDeployment): void {
  new Summary()
    .heading(`Promotion gate ${from} → ${to}: passed`, 3)
    .facts([
      ['image', passed.payload.image],
      ['commit', passed.sha],
      [`passed ${from}`, `${passed.passedAt} (deployment ${passed.id})`],
      ...(passed.environmentUrl ? ([[from, { text: passed.environmentUrl, href: passed.environmentUrl }]] as [string, { text: string; href: string }][]) : []),
    ])
    .write(deps.context.stepSummaryPath);
}
