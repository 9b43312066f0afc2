import { ExpeditorError } from '@expeditor/shared/errors';
import { cancelledLeaving, writeSignal } from '@expeditor/shared/cancel-write';
import { abortReason } from '@expeditor/shared/deadline';
import { configExists, environmentOf, loadConfig, type ExpeditorConfig } from '@expeditor/shared/config';
import type { GitHubContext } from '@expeditor/shared/context';
import type { Log } from '@expeditor/shared/log';
import type { GitHubClient } from '@expeditor/shared/github/client';
import {
  currentDeployment,
  digestOf,
  findPassedDeployment,
  finishDeployment,
  newestDeployment,
  position,
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
  /** Reads (the gate, lookups): they stop with the run. */
  github: GitHubClient;
  /**
   * Writes (a Deployment and its statuses): once the run stops, one in flight still gets the write
   * grace to land (default: github).
   */
  writes?: GitHubClient;
  /** A client made once the run stopped, for its clean-up time: marks a new Deployment error (default: writes). */
  cleanup?: () => GitHubClient;
  /** The run's signal (cancel, deadline): checked before each write, and after a Deployment is created. */
  signal?: AbortSignal;
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
    | 'rolled-back-id'
    | 'app'
    | 'baseline-id',
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
  | { mode: 'hold' }
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
  // A dispatched name must be one of the file's: a typo never reaches a GitHub environment or a gate.
  if (config && inputs.promoteFrom && inputs.promoteFrom !== 'none' && !Object.hasOwn(config.environments, inputs.promoteFrom)) {
    throw new ExpeditorError(
      `environment ${JSON.stringify(inputs.promoteFrom)} is not in ${inputs.config} (have: ${Object.keys(config.environments).slice(0, 20).join(', ')})`,
      { input: 'promote-from', unchanged: 'nothing was recorded or deployed', next: 'name an environment of the environment file' },
    );
  }
  if (config && inputs.app && inputs.app !== config.app) {
    throw new ExpeditorError(`input 'app' is ${inputs.app} but ${inputs.config} is the environment file of ${config.app}`, {
      input: 'app',
      unchanged: 'nothing was recorded or deployed',
      next: `point 'config' at ${inputs.app}'s environment file, or leave 'app' empty`,
    });
  }
  return {
    platform,
    strategy,
    route: platform === 'eks' ? (env?.eks?.route ?? 'service') : undefined,
    // ECS blue/green stops at Ready unless the file says otherwise, so the switch step moves traffic.
    waitUntil: platform === 'ecs' && strategy === 'blue-green' ? (env?.ecs?.['wait-until'] ?? 'ready') : undefined,
    url: inputs.environmentUrl ?? env?.url,
    promoteFrom: inputs.promoteFrom === 'none' ? undefined : (inputs.promoteFrom ?? fileFrom),
    production: inputs.production === 'auto' ? config !== undefined && !promotedFromHere : inputs.production === 'true',
    app: config?.app ?? inputs.app,
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
  if (inputs.mode === 'check') {
    const outputs = check(inputs, config, plan);
    if (inputs.deploymentId !== undefined) await stillHeld(inputs, plan, deps);
    return { outputs, report: { mode: 'check' } };
  }
  if (inputs.mode === 'gate') return gate(inputs, plan, deps);
  if (inputs.mode === 'finish') return { outputs: await finish(inputs, plan, deps), report: { mode: 'finish' } };
  if (inputs.mode === 'hold') return { outputs: await hold(inputs, plan, deps), report: { mode: 'hold' } };
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
    app: plan.app ?? '',
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
  if (!config && inputs.deploymentId !== undefined) return planOutputs(plan);
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
  const passed = await deps.log
    .group(`Promotion gate: ${from} → ${inputs.environment}`, () =>
      promotionGate(deps.github, {
        from,
        to: inputs.environment,
        app: plan.app,
        ...(inputs.digest ? { digest: inputs.digest } : {}),
        ...(inputs.commit ? { sha: inputs.commit } : {}),
      }),
    )
    .catch(cancelledLeaving('nothing was recorded or deployed (the gate only reads)'));
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
    ...(previous.payload.target ? { target: previous.payload.target } : {}),
    description: `rollback from deployment ${current.id}`,
    rollbackOf: current.id,
  };
}

/**
 * A rollback to a baseline whose image is unknown (deploy-ecs reported only the task definition)
 * or by tag cannot be redeployed by image: refused for ECS when the workflow would redeploy, with
 * the task definition to return to. Blue/green returns to its previous color or task definition
 * without the image.
 */
export function refuseImagelessRedeploy(environment: string, previous: PassedDeployment, plan: EnvironmentPlan): void {
  if (plan.platform !== 'ecs' || plan.strategy === 'blue-green' || previous.payload.digest) return;
  const what = previous.payload.image || (previous.payload.target ? `task definition ${previous.payload.target}` : 'an unknown image');
  throw new ExpeditorError(
    `${environment} would return to what ran before the first deploy (${what}), which is not an image by digest, so it cannot be redeployed`,
    {
      unchanged: 'nothing was switched or recorded',
      next: previous.payload.target
        ? `update the service to ${previous.payload.target} (aws ecs update-service --task-definition), or deploy a known good image with the deploy workflow`
        : 'deploy a known good image with the deploy workflow',
    },
  );
}

/** The status a finish records and its description: a cancelled run counts as an error. */
export function finishStatus(state: RecordInputs['state']): { state: FinalState; description: string } {
  const final = state === 'cancelled' ? 'error' : (state ?? 'error');
  return { state: final, description: state === 'cancelled' ? 'cancelled' : final === 'success' ? 'deployed' : `deploy ${final}` };
}

const NOTHING_RECORDED = 'nothing was recorded or deployed: no GitHub Deployment was created';
const NOTHING_SWITCHED = 'nothing was switched or recorded: no GitHub Deployment was created';

/**
 * A Deployment and its in_progress status, written as one: a stop before the create sends nothing;
 * once sent, both writes land (they outlive the stop by the write grace), and a run stopped by
 * then marks the new Deployment `error` (cancelled) at once, since no later step of the run will
 * deploy or finish it. Never a Deployment left in progress, or without a status, by a stopped run.
 */
async function createDeployment(options: StartDeploymentOptions, deps: RecordDeps): Promise<{ id: number }> {
  writeSignal(deps.signal, 'the GitHub Deployment was created', NOTHING_RECORDED);
  const writes = deps.writes ?? deps.github;
  const record = await startDeployment(writes, options).catch(
    cancelledLeaving(
      'a GitHub Deployment may have been created and left without a status (GitHub shows it as pending; it counts as no pass)',
      "look at the environment's deployments and mark one of this run error (POST …/deployments/<id>/statuses state=error)",
    ),
  );
  if (!deps.signal?.aborted) return record;
  const stop = abortReason(deps.signal);
  try {
    await setStatus(deps.cleanup?.() ?? writes, record.id, 'error', {
      description: 'cancelled before the deploy',
      ...(deps.context.runUrl ? { logUrl: deps.context.runUrl } : {}),
    });
  } catch (error) {
    throw new ExpeditorError(`${stop.message}, after GitHub Deployment ${record.id} was created`, {
      cause: error,
      unchanged: `nothing was deployed; GitHub Deployment ${record.id} stays in progress: its error status could not be written (${error instanceof Error ? error.message : String(error)})`,
      next: `mark it by hand: POST /repos/{owner}/{repo}/deployments/${record.id}/statuses with state=error`,
    });
  }
  deps.log.info(`GitHub Deployment ${record.id}: error (cancelled before the deploy)`);
  throw new ExpeditorError(`${stop.message}, after GitHub Deployment ${record.id} was created`, {
    cause: stop,
    unchanged: `nothing was deployed; GitHub Deployment ${record.id} was marked error (cancelled), so it counts as no pass`,
    ...(stop instanceof ExpeditorError && stop.next ? { next: stop.next } : {}),
  });
}

async function start(inputs: RecordInputs, plan: EnvironmentPlan, deps: RecordDeps): Promise<RecordRun> {
  const { digest, ...options } = deployment(inputs.image ?? '', inputs.environment, deps.context.sha, plan, deps.context.runUrl);
  const image = options.image;
  let passed: PassedDeployment | undefined;
  if (plan.promoteFrom) {
    const from = plan.promoteFrom;
    passed = await deps.log
      .group(`Promotion gate: ${from} → ${inputs.environment}`, () =>
        promotionGate(deps.github, { from, to: inputs.environment, app: plan.app, digest }),
      )
      .catch(cancelledLeaving(NOTHING_RECORDED));
    deps.log.info(`${digest} passed ${from} (deployment ${passed.id}, ${passed.passedAt})`);
  }
  const record = await createDeployment(options, deps);
  deps.log.info(`GitHub Deployment ${record.id}: ${image} to ${inputs.environment}, in progress`);
  return {
    outputs: { ...planOutputs(plan), 'deployment-id': String(record.id), image, digest, sha: deps.context.sha },
    report: { mode: 'start', environment: inputs.environment, image, sha: deps.context.sha, plan, passed, deploymentId: record.id },
  };
}

async function startRollback(inputs: RecordInputs, plan: EnvironmentPlan, deps: RecordDeps): Promise<RecordRun> {
  const current = await currentDeployment(deps.github, inputs.environment, plan.app).catch(cancelledLeaving(NOTHING_SWITCHED));
  if (!current) {
    throw new ExpeditorError(`${inputs.environment} has no successful deployment to roll back from`, {
      unchanged: 'nothing was switched or recorded',
      next: 'nothing to do, or deploy a known good image with the deploy workflow',
    });
  }
  const previous = await previousImage(deps.github, inputs.environment, plan.app, current).catch(cancelledLeaving(NOTHING_SWITCHED));
  if (!previous) {
    throw new ExpeditorError(`${inputs.environment} has no earlier passed image than ${current.payload.image} to return to`, {
      unchanged: 'nothing was switched or recorded',
      next: 'deploy a known good image with the deploy workflow',
    });
  }
  refuseImagelessRedeploy(inputs.environment, previous, plan);
  const record = await createDeployment(rollbackDeployment(inputs.environment, current, previous, plan, deps.context.runUrl), deps);
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

/**
 * The newest passed deployment of the app in the environment before the current one, with another
 * digest; the baseline (what ran before the app's first deploy) counts.
 */
async function previousImage(
  github: GitHubClient,
  environment: string,
  app: string | undefined,
  current: PassedDeployment,
): Promise<PassedDeployment | undefined> {
  return findPassedDeployment(github, { environment, app, except: current.payload.digest, before: position(current), baselines: true });
}

interface ApiDeploymentOf {
  environment: string;
  sha: string;
  payload: Partial<DeploymentPayload>;
}

/** The deployment finish or hold acts on, refused unless it is of this environment and app. */
async function deploymentOf(inputs: RecordInputs, plan: EnvironmentPlan, deps: RecordDeps): Promise<ApiDeploymentOf & { id: number }> {
  const id = inputs.deploymentId ?? 0;
  const { data } = await deps.github.request<ApiDeploymentOf>('GET /repos/{owner}/{repo}/deployments/{deployment_id}', {
    deployment_id: id,
  });
  if (data.environment !== inputs.environment) {
    throw new ExpeditorError(`deployment ${id} is for ${data.environment}, not ${inputs.environment}`, {
      input: 'deployment-id',
      unchanged: 'no status was recorded',
    });
  }
  if ((data.payload?.app ?? '') !== (plan.app ?? '')) {
    throw new ExpeditorError(`deployment ${id} is of ${data.payload?.app || 'no app'}, not ${plan.app || 'no app'}`, {
      input: 'deployment-id',
      unchanged: 'no status was recorded',
    });
  }
  return { ...data, id };
}

/**
 * Before the approval job switches: the held deployment must still be the app's newest in the
 * environment and in progress (a later deploy, or a finish, would make the switch move traffic to
 * what someone else brought up).
 */
async function stillHeld(inputs: RecordInputs, plan: EnvironmentPlan, deps: RecordDeps): Promise<void> {
  const held = await deploymentOf(inputs, plan, deps);
  const newest = await newestDeployment(deps.github, inputs.environment, plan.app);
  const refuse = (why: string): never => {
    throw new ExpeditorError(`deployment ${held.id} is no longer held for approval: ${why}`, {
      input: 'deployment-id',
      unchanged: 'traffic was not switched',
      next: 'deploy again, and approve the new run',
    });
  };
  if (newest && newest.id !== held.id) refuse(`deployment ${newest.id} of ${plan.app || 'this app'} started after it`);
  if (newest?.state !== 'in_progress') refuse(`its status is ${newest?.state ?? 'unknown'}`);
}

async function finish(inputs: RecordInputs, plan: EnvironmentPlan, deps: RecordDeps): Promise<RecordOutputs> {
  const noStatus = `no status was recorded: deployment ${inputs.deploymentId ?? 0} keeps the status it had`;
  const data = await deploymentOf(inputs, plan, deps).catch(cancelledLeaving(noStatus));
  const id = data.id;
  const finished = finishStatus(inputs.state);
  const { state } = finished;
  const description = inputs.description ?? finished.description;
  const url = plan.url;
  // Is this the app's first pass here? Asked before this one's success, which marks others inactive.
  const first =
    state === 'success' &&
    inputs.previousTarget !== undefined &&
    data.payload.rollbackOf === undefined &&
    data.payload.baselineOf === undefined &&
    !(await findPassedDeployment(deps.github, { environment: inputs.environment, app: plan.app, before: id, baselines: true }).catch(
      cancelledLeaving(noStatus),
    ));
  // Sent, the status lands (the writes client outlives a stop): the run stopped after it succeeds with it.
  writeSignal(deps.signal, `the status of deployment ${id} was written`, noStatus);
  await finishDeployment(deps.writes ?? deps.github, id, state, {
    ...(deps.context.runUrl ? { logUrl: deps.context.runUrl } : {}),
    ...(url ? { environmentUrl: url } : {}),
    description,
  });
  deps.log.info(`GitHub Deployment ${id}: ${state}`);
  const outputs: RecordOutputs = { 'deployment-id': String(id), 'environment-url': url ?? '', app: plan.app ?? '' };
  if (first) outputs['baseline-id'] = String(await recordBaseline(inputs, plan, deps, data));
  // A rollback that went through undoes the pass of the deployment it replaced.
  if (state === 'success' && typeof data.payload.rollbackOf === 'number') {
    await setStatus(deps.writes ?? deps.github, data.payload.rollbackOf, 'error', {
      description: `rolled back by deployment ${id}`,
      ...(deps.context.runUrl ? { logUrl: deps.context.runUrl } : {}),
    });
    deps.log.info(`GitHub Deployment ${data.payload.rollbackOf}: marked rolled back`);
  }
  return outputs;
}

/** The baseline of an app's first passed deployment: what ran before it, so rollback has somewhere to go. */
export function baselineDeployment(
  environment: string,
  of: { id: number; sha: string },
  previous: { target: string; image: string | undefined },
  plan: EnvironmentPlan,
  runUrl: string | undefined,
): StartDeploymentOptions {
  return {
    sha: of.sha,
    environment,
    image: previous.image ?? '',
    ...describedBy(plan, runUrl),
    target: previous.target,
    baselineOf: of.id,
    state: 'success',
    description: `what ran before deployment ${of.id}: ${previous.image ?? previous.target}`,
  };
}

async function recordBaseline(
  inputs: RecordInputs,
  plan: EnvironmentPlan,
  deps: RecordDeps,
  of: ApiDeploymentOf & { id: number },
): Promise<number> {
  const previous = { target: inputs.previousTarget ?? '', image: inputs.previousImage };
  const baseline = await startDeployment(
    deps.writes ?? deps.github,
    baselineDeployment(inputs.environment, of, previous, plan, deps.context.runUrl),
  );
  deps.log.info(
    `GitHub Deployment ${baseline.id}: the first deploy of ${plan.app || 'this app'} to ${inputs.environment}; what ran before it (${previous.image ?? previous.target}) recorded, so a rollback can return to it`,
  );
  return baseline.id;
}

/** Approval pending: the deployment stays in progress, showing the preview (or the environment's) URL. */
async function hold(inputs: RecordInputs, plan: EnvironmentPlan, deps: RecordDeps): Promise<RecordOutputs> {
  const data = await deploymentOf(inputs, plan, deps).catch(
    cancelledLeaving(`no status was recorded: deployment ${inputs.deploymentId ?? 0} keeps the status it had`),
  );
  await setStatus(deps.github, data.id, 'in_progress', {
    ...(deps.context.runUrl ? { logUrl: deps.context.runUrl } : {}),
    ...(plan.url ? { environmentUrl: plan.url } : {}),
    description: inputs.description ?? 'held at Ready, waiting for approval',
  });
  deps.log.info(`GitHub Deployment ${data.id}: in progress, ${inputs.description ?? 'held at Ready, waiting for approval'}`);
  return { 'deployment-id': String(data.id), 'environment-url': plan.url ?? '', app: plan.app ?? '' };
}
