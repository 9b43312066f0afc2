// GitHub Deployments as the pipeline's record: each deploy is a Deployment (ref = the commit,
// the environment, a payload naming the image by digest) with statuses in_progress, then success
// or failure, linking the run's log and the environment. The promotion gate reads them back: an
// image may enter an environment only if the same digest passed the one it is promoted from.
// Every lookup is scoped to one app (the payload's `app`, the environment file's): several apps
// share a repository and its environments, and one app's record never answers for another's. A
// Deployment with no app (recorded before apps were scoped, or with no environment file) answers
// only a lookup with no app.
import { ExpeditorError } from '../errors.ts';
import { digestReference } from '../patterns.ts';
import type { GitHubClient } from './client.ts';
import { landedDeployment, landedStatus } from './landed.ts';

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
  /**
   * A baseline: what ran before deployment N, the app's first passed one in the environment
   * (recorded when N finished, so that rollback works from the first deploy). Its image may be
   * empty (only the task definition or color is known, in `target`) or by tag; it never passes a
   * promotion gate. It sorts just before N.
   */
  baselineOf?: number;
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
  target?: string;
  /** The run's page, shown as the deployment's log. */
  logUrl?: string;
  environmentUrl?: string;
  /** True for an environment end users reach: GitHub then never marks its deployments inactive. */
  production?: boolean;
  description?: string;
  rollbackOf?: number;
  /** A baseline (see DeploymentPayload.baselineOf): its image need not be by digest. */
  baselineOf?: number;
  /** The first status: in_progress (default), or success for a baseline, recorded as it was found. */
  state?: 'in_progress' | 'success';
}

/** Creates the Deployment and its in_progress status; returns the record to finish later. */
export async function startDeployment(client: GitHubClient, options: StartDeploymentOptions): Promise<DeploymentRecord> {
  // A baseline, or a rollback to one, may name an image by tag or none (only its target known).
  const undigested = options.baselineOf !== undefined || options.image === '' || options.rollbackOf !== undefined;
  const digest = digestOf(options.image) ?? (undigested ? '' : undefined);
  if (digest === undefined) {
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
    ...(options.target ? { target: options.target } : {}),
    ...(options.rollbackOf !== undefined ? { rollbackOf: options.rollbackOf } : {}),
    ...(options.baselineOf !== undefined ? { baselineOf: options.baselineOf } : {}),
    expeditor: 1,
  };
  const fallback = `${(digest || options.image || 'image').slice(0, 19)} to ${options.environment}`;
  const description = (options.description ?? fallback).slice(0, 140);
  const created = await client.request<ApiDeployment & { message?: string }>(
    'POST /repos/{owner}/{repo}/deployments',
    {
      ref: options.sha,
      environment: options.environment,
      payload,
      description,
      // The pipeline is the check: neither merge the default branch in nor wait on commit statuses.
      auto_merge: false,
      required_contexts: [],
      transient_environment: false,
      production_environment: options.production ?? false,
    },
    // A lost answer is not a reason to record the deployment twice.
    { landed: () => landedDeployment(client, { sha: options.sha, environment: options.environment, payload, description }) },
  );
  if (created.status !== 201) {
    // 202 means GitHub merged the default branch in instead of deploying; we never ask for that.
    throw new ExpeditorError(`GitHub did not create the deployment (HTTP ${created.status}: ${created.data.message ?? 'no message'})`, {
      unchanged: 'nothing was deployed',
    });
  }
  const record = toRecord(created.data);
  const baseline = options.state === 'success';
  await setStatus(client, record.id, options.state ?? 'in_progress', {
    logUrl: options.logUrl,
    environmentUrl: options.environmentUrl,
    description: baseline ? `ran before deployment ${options.baselineOf ?? '?'}` : 'deploying',
    // A baseline's success must not mark the deployment it precedes inactive.
    ...(baseline ? { autoInactive: false } : {}),
  });
  return record;
}

export interface StatusOptions {
  logUrl?: string | undefined;
  environmentUrl?: string | undefined;
  description?: string | undefined;
  /** false: GitHub leaves the environment's earlier successful deployments active. */
  autoInactive?: boolean;
}

/** Adds a status to a deployment (success, failure, error, in_progress, …). */
export async function setStatus(client: GitHubClient, id: number, state: StatusState, options: StatusOptions = {}): Promise<void> {
  const description = options.description?.slice(0, 140);
  await client.request(
    'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    {
      deployment_id: id,
      state,
      ...(options.logUrl ? { log_url: options.logUrl } : {}),
      ...(options.environmentUrl ? { environment_url: options.environmentUrl } : {}),
      ...(description ? { description } : {}),
      ...(options.autoInactive === false ? { auto_inactive: false } : {}),
    },
    { landed: () => landedStatus(client, id, { state, description }) },
  );
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

/**
 * Whether a record belongs to the app looked up: the same `app`, or both without one. A record
 * with no app (made before apps were scoped) never answers for a named app: it might be another
 * app's, and taking it could promote or roll back to another app's image.
 */
export function sameApp(payload: Pick<DeploymentPayload, 'app'>, app: string | undefined): boolean {
  return (payload.app ?? '') === (app ?? '');
}

/** Where a record sorts in its environment's history: its id, a baseline just before the deployment it preceded. */
export function position(d: { id: number; payload: Pick<DeploymentPayload, 'baselineOf'> }): number {
  return typeof d.payload.baselineOf === 'number' ? d.payload.baselineOf - 0.5 : d.id;
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
 * a passed deployment inactive when a newer one succeeds in the same environment (of any app);
 * that does not undo its pass. A rollback records `error` on the deployment it left, which does.
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
  /** The app (the environment file's `app`); undefined finds only records with no app. */
  app: string | undefined;
  /** The image's digest (sha256:…), or an image reference by digest. */
  digest?: string;
  /** A commit: its newest passed deployment. */
  sha?: string;
  /** Skip deployments of this digest (a rollback looks for another image). */
  except?: string;
  /** Only deployments that sort before this one (by position). */
  before?: number;
  /**
   * Count baselines (what ran before the app's first deploy): a rollback may return to one, the
   * promotion gate never takes one (the pipeline never deployed it). Default false.
   */
  baselines?: boolean;
}

/**
 * The newest (by position) deployment in `environment` of this app, digest or commit that passed;
 * undefined if none. GitHub lists newest id first, and a baseline's id is above its position, so
 * the first passed non-baseline ends the search once the baselines seen so far are weighed.
 */
export async function findPassedDeployment(client: GitHubClient, options: FindOptions): Promise<PassedDeployment | undefined> {
  const digest = options.digest === undefined ? undefined : digestOf(options.digest);
  if (options.digest !== undefined && !digest)
    throw new ExpeditorError(`'${options.digest}' is not a digest (sha256:…) nor an image by digest`, { input: 'digest' });
  let baseline: PassedDeployment | undefined;
  for await (const deployment of deploymentsOf(client, options.environment, options.sha)) {
    if (!isOurs(deployment.payload)) continue;
    if (!sameApp(deployment.payload, options.app)) continue;
    const isBaseline = typeof deployment.payload.baselineOf === 'number';
    if (isBaseline && !options.baselines) continue;
    // The gate deploys by digest: a record without one (a baseline, or a rollback to one) never passes it.
    if ((digest || options.sha) && !options.baselines && !deployment.payload.digest) continue;
    if (digest && deployment.payload.digest !== digest) continue;
    if (options.sha && deployment.sha !== options.sha) continue;
    if (options.except !== undefined && deployment.payload.digest === options.except && options.except !== '') continue;
    // Nothing from here on sorts above its id: a baseline already found at or above it wins.
    if (baseline && position(baseline) >= deployment.id) break;
    const at = position({ id: deployment.id, payload: deployment.payload });
    if (options.before !== undefined && at >= options.before) continue;
    const statuses = await statusesOf(client, deployment.id);
    if (!passed(statuses)) continue;
    const success = [...statuses].sort((a, b) => b.id - a.id).find((s) => s.state === 'success');
    const found: PassedDeployment = {
      ...toRecord(deployment),
      passedAt: success?.created_at ?? deployment.created_at,
      environmentUrl: success?.environment_url || undefined,
    };
    if (!isBaseline) return found;
    if (!baseline || position(found) > position(baseline)) baseline = found;
  }
  return baseline;
}

/**
 * The live deployment of an app in an environment: the newest (by position) that passed. GitHub's
 * `inactive` is ignored (another app's success sets it); a rolled-back one has `error` and is not
 * live; a failed newer one left the older one serving.
 */
export function currentDeployment(
  client: GitHubClient,
  environment: string,
  app: string | undefined,
): Promise<PassedDeployment | undefined> {
  return findPassedDeployment(client, { environment, app, baselines: true });
}

/** The app's newest deployment in the environment (baselines aside) and its newest status other than inactive. */
export async function newestDeployment(
  client: GitHubClient,
  environment: string,
  app: string | undefined,
): Promise<{ id: number; state: StatusState | undefined } | undefined> {
  for await (const deployment of deploymentsOf(client, environment, undefined)) {
    if (!isOurs(deployment.payload) || !sameApp(deployment.payload, app) || typeof deployment.payload.baselineOf === 'number') continue;
    const statuses = await statusesOf(client, deployment.id);
    return { id: deployment.id, state: [...statuses].sort((a, b) => b.id - a.id).find((s) => s.state !== 'inactive')?.state };
  }
  return undefined;
}

export interface GateOptions {
  from: string;
  to: string;
  /** The app promoted: only its own passes count. */
  app: string | undefined;
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
  const which = {
    environment: options.from,
    ...(options.digest ? { digest: options.digest } : {}),
    ...(options.sha ? { sha: options.sha } : {}),
  };
  const found = await findPassedDeployment(client, { ...which, app: options.app });
  if (!found) {
    const what = [options.digest && `digest ${digestOf(options.digest) ?? options.digest}`, options.sha && `commit ${options.sha}`]
      .filter(Boolean)
      .join(' of ');
    const of = options.app ? ` of ${options.app}` : '';
    // A pass recorded with no app (before apps were scoped) is not counted for a named app: say so.
    const unscoped = options.app ? await findPassedDeployment(client, { ...which, app: undefined }) : undefined;
    const note = unscoped
      ? ` (deployment ${unscoped.id} passed ${options.from} with that image but names no app: it was recorded before deployments were scoped by app, and is not counted)`
      : '';
    // What did pass there, so the refusal names a digest that may be promoted (a failed lookup only loses the hint).
    const newest = await findPassedDeployment(client, { environment: options.from, app: options.app }).catch(() => undefined);
    throw new ExpeditorError(
      `${what} has no successful deployment${of} in ${options.from}, so it may not be promoted to ${options.to}${note}`,
      { unchanged: `nothing was deployed to ${options.to}`, next: gateNext(options.from, options.app, newest) },
    );
  }
  return found;
}

/**
 * What to do about a refused promotion. A commit on main gets a new image (and so fails the gate)
 * when its build inputs differ from those of the image that ran in `from`: build-image reuses an
 * image only for the same context tree, Dockerfile, build args, target and platforms.
 */
export function gateNext(from: string, app: string | undefined, newest: PassedDeployment | undefined): string {
  const deployFirst = `deploy this commit's image to ${from} first and let it pass there (a merge gets an image of its own when its build inputs — context tree, Dockerfile, build args, target, platforms — differ from those of the image that ran in ${from}: merge exactly what passed ${from}, or deploy the merge to ${from})`;
  const promote = newest
    ? `or promote the image that passed ${from} by its digest: the newest${app ? ` of ${app}` : ''} is ${newest.payload.image} (commit ${newest.sha.slice(0, 12)}, deployment ${newest.id})`
    : `or promote an image that passed (see the ${from} environment's deployments on GitHub)`;
  return `${deployFirst}, ${promote}`;
}
