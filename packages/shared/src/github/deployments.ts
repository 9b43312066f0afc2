// GitHub Deployments as the pipeline's record: each deploy is a Deployment (ref = the commit,
// the environment, a payload naming the image by digest) with statuses in_progress, then success
// or failure, linking the run's log and the environment. The promotion gate reads them back: an
// image may enter an environment only if the same digest passed the one it is promoted from.
import { ExpeditorError } from '../errors.ts';
import { digestReference } from '../patterns.ts';
import type { GitHubClient } from './client.ts';

/** What Expeditor puts in a Deployment's payload (GitHub keeps it as given). */
export interface DeploymentPayload {
  /** repository@sha256:… */
  image: string;
  /** sha256:… */
  digest: string;
  app?: string;
  platform?: string;
  strategy?: string;
  /** The color brought up, or the task definition, for a later reader. */
  target?: string;
  /** A rollback: the deployment it replaces (marked rolled back once this one succeeds). */
  rollbackOf?: number;
  /** Marks the payload as ours among other tools' deployments. */
  expeditor: 1;
}

export type FinalState = 'success' | 'failure' | 'error';
export type StatusState = FinalState | 'inactive' | 'in_progress' | 'queued' | 'pending';

export interface DeploymentRecord {
  id: number;
  sha: string;
  environment: string;
  payload: DeploymentPayload;
  createdAt: string;
  /** GitHub's web page of the deployment's environment history. */
  url: string;
}

interface ApiDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  payload: unknown;
  created_at: string;
  url: string;
}

interface ApiStatus {
  id: number;
  state: StatusState;
  created_at: string;
  description: string;
  environment_url?: string;
  log_url?: string;
}

/** `sha256:…` from an image reference `repo@sha256:…` or a bare digest; undefined otherwise. */
export function digestOf(imageOrDigest: string): string | undefined {
  const bare = /^sha256:[a-f0-9]{64}$/.exec(imageOrDigest)?.[0];
  if (bare) return bare;
  return digestReference.test(imageOrDigest) ? imageOrDigest.slice(imageOrDigest.lastIndexOf('@') + 1) : undefined;
}

export interface StartDeploymentOptions {
  /** The commit deployed (full SHA): the Deployment's ref. */
  sha: string;
  environment: string;
  image: string;
  app?: string;
  platform?: string;
  strategy?: string;
  /** The run's page, shown as the deployment's log. */
  logUrl?: string;
  environmentUrl?: string;
  /** True for an environment end users reach: GitHub then never marks its deployments inactive. */
  production?: boolean;
  description?: string;
  rollbackOf?: number;
}

/** Creates the Deployment and its in_progress status; returns the record to finish later. */
export async function startDeployment(client: GitHubClient, options: StartDeploymentOptions): Promise<DeploymentRecord> {
  const digest = digestOf(options.image);
  if (!digest) {
    throw new ExpeditorError(`the image ${options.image} is not given by digest (repository@sha256:…)`, {
      input: 'image',
      unchanged: 'no deployment was recorded',
      next: "deploy build-image's image output, which is always by digest",
    });
  }
  const payload: DeploymentPayload = {
    image: options.image,
    digest,
    ...(options.app ? { app: options.app } : {}),
    ...(options.platform ? { platform: options.platform } : {}),
    ...(options.strategy ? { strategy: options.strategy } : {}),
    ...(options.rollbackOf !== undefined ? { rollbackOf: options.rollbackOf } : {}),
    expeditor: 1,
  };
  const created = await client.request<ApiDeployment & { message?: string }>('POST /repos/{owner}/{repo}/deployments', {
    ref: options.sha,
    environment: options.environment,
    payload,
    description: (options.description ?? `${digest.slice(0, 19)} to ${options.environment}`).slice(0, 140),
    // The pipeline is the check: neither merge the default branch in nor wait on commit statuses.
    auto_merge: false,
    required_contexts: [],
    transient_environment: false,
    production_environment: options.production ?? false,
  });
  if (created.status !== 201) {
    // 202 means GitHub merged the default branch in instead of deploying; we never ask for that.
    throw new ExpeditorError(`GitHub did not create the deployment (HTTP ${created.status}: ${created.data.message ?? 'no message'})`, {
      unchanged: 'nothing was deployed',
    });
  }
  const record = toRecord(created.data);
  await setStatus(client, record.id, 'in_progress', {
    logUrl: options.logUrl,
    environmentUrl: options.environmentUrl,
    description: 'deploying',
  });
  return record;
}

export interface StatusOptions {
  logUrl?: string | undefined;
  environmentUrl?: string | undefined;
  description?: string | undefined;
}

/** Adds a status to a deployment (success, failure, error, in_progress, …). */
export async function setStatus(client: GitHubClient, id: number, state: StatusState, options: StatusOptions = {}): Promise<void> {
  await client.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
    deployment_id: id,
    state,
    ...(options.logUrl ? { log_url: options.logUrl } : {}),
    ...(options.environmentUrl ? { environment_url: options.environmentUrl } : {}),
    ...(options.description ? { description: options.description.slice(0, 140) } : {}),
  });
}

/** Ends a deployment started with startDeployment. */
export function finishDeployment(client: GitHubClient, id: number, state: FinalState, options: StatusOptions = {}): Promise<void> {
  return setStatus(client, id, state, options);
}

function toRecord(d: ApiDeployment): DeploymentRecord {
  return { id: d.id, sha: d.sha, environment: d.environment, payload: d.payload as DeploymentPayload, createdAt: d.created_at, url: d.url };
}

function isOurs(payload: unknown): payload is DeploymentPayload {
  return (
    typeof payload === 'object' &&
    payload !== null &&
    (payload as { expeditor?: unknown }).expeditor === 1 &&
    typeof (payload as { digest?: unknown }).digest === 'string' &&
    typeof (payload as { image?: unknown }).image === 'string'
  );
}

const PAGE = 100;

/** Every deployment of an environment (optionally of one commit), newest first. */
async function* deploymentsOf(client: GitHubClient, environment: string, sha: string | undefined): AsyncGenerator<ApiDeployment> {
  for (let page = 1; ; page++) {
    const { data } = await client.request<ApiDeployment[]>('GET /repos/{owner}/{repo}/deployments', {
      environment,
      ...(sha ? { sha } : {}),
      per_page: PAGE,
      page,
    });
    yield* data;
    if (data.length < PAGE) return;
  }
}

async function statusesOf(client: GitHubClient, id: number): Promise<ApiStatus[]> {
  const out: ApiStatus[] = [];
  for (let page = 1; ; page++) {
    const { data } = await client.request<ApiStatus[]>('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      deployment_id: id,
      per_page: PAGE,
      page,
    });
    out.push(...data);
    if (data.length < PAGE) return out;
  }
}

/**
 * Whether a deployment passed: its newest status other than `inactive` is `success`. GitHub marks
 * a passed deployment inactive when a newer one succeeds in the same environment; that does not
 * undo its pass. A rollback records `error` on the deployment it left, which does.
 */
export function passed(statuses: readonly Pick<ApiStatus, 'state' | 'id'>[]): boolean {
  const newestFirst = [...statuses].sort((a, b) => b.id - a.id);
  return newestFirst.find((s) => s.state !== 'inactive')?.state === 'success';
}

export interface PassedDeployment extends DeploymentRecord {
  passedAt: string;
  environmentUrl: string | undefined;
}

export interface FindOptions {
  environment: string;
  /** The image's digest (sha256:…), or an image reference by digest. */
  digest?: string;
  /** A commit: its newest passed deployment. */
  sha?: string;
  /** Skip deployments of this digest (a rollback looks for another image). */
  except?: string;
  /** Only deployments older than this one (by id). */
  before?: number;
}

/** The newest deployment in `environment` of this digest or commit that passed; undefined if none. */
export async function findPassedDeployment(client: GitHubClient, options: FindOptions): Promise<PassedDeployment | undefined> {
  const digest = options.digest === undefined ? undefined : digestOf(options.digest);
  if (options.digest !== undefined && !digest)
    throw new ExpeditorError(`'${options.digest}' is not a digest (sha256:…) nor an image by digest`, { input: 'digest' });
  for await (const deployment of deploymentsOf(client, options.environment, options.sha)) {
    if (!isOurs(deployment.payload)) continue;
    if (digest && deployment.payload.digest !== digest) continue;
    if (options.sha && deployment.sha !== options.sha) continue;
    if (options.except && deployment.payload.digest === options.except) continue;
    if (options.before !== undefined && deployment.id >= options.before) continue;
    const statuses = await statusesOf(client, deployment.id);
    if (!passed(statuses)) continue;
    const success = [...statuses].sort((a, b) => b.id - a.id).find((s) => s.state === 'success');
    return {
      ...toRecord(deployment),
      passedAt: success?.created_at ?? deployment.created_at,
      environmentUrl: success?.environment_url || undefined,
    };
  }
  return undefined;
}

/** The live deployment of an environment: the newest one whose newest status is success. */
export async function currentDeployment(client: GitHubClient, environment: string): Promise<PassedDeployment | undefined> {
  for await (const deployment of deploymentsOf(client, environment, undefined)) {
    if (!isOurs(deployment.payload)) continue;
    const statuses = await statusesOf(client, deployment.id);
    const newest = [...statuses].sort((a, b) => b.id - a.id)[0];
    if (newest?.state === 'success') {
      return { ...toRecord(deployment), passedAt: newest.created_at, environmentUrl: newest.environment_url || undefined };
    }
  }
  return undefined;
}

export interface GateOptions {
  from: string;
  to: string;
  digest?: string;
  sha?: string;
}

/**
 * The promotion gate: the image that may go to `to`, which must have passed `from` (by digest, or
 * the newest passed image of a commit). Refuses otherwise, before anything is deployed.
 */
export async function promotionGate(client: GitHubClient, options: GateOptions): Promise<PassedDeployment> {
  if (!options.digest && !options.sha) {
    throw new ExpeditorError('a promotion needs the image digest or the commit to promote', {
      input: 'digest',
      unchanged: 'nothing was deployed',
    });
  }
  const found = await findPassedDeployment(client, {
    environment: options.from,
    ...(options.digest ? { digest: options.digest } : {}),
    ...(options.sha ? { sha: options.sha } : {}),
  });
  if (!found) {
    const what = [options.digest && `digest ${digestOf(options.digest) ?? options.digest}`, options.sha && `commit ${options.sha}`]
      .filter(Boolean)
      .join(' of ');
    throw new ExpeditorError(`${what} has no successful deployment in ${options.from}, so it may not be promoted to ${options.to}`, {
      unchanged: `nothing was deployed to ${options.to}`,
      next: `deploy it to ${options.from} first and let it pass there, or promote an image that did (see the ${options.from} environment's deployments on GitHub)`,
    });
  }
  return found;
}
