// The plan's part for Rollouts: which services' workloads are Rollouts, and what happens to the
// manifest's other documents then. A Rollout brings its own blue/green (Argo keeps two ReplicaSets
// behind its active and preview Services), so deploy-eks's colors do not apply: no per-color
// copies, no color selector on the Services; every other document is applied as it is.
import { ExpeditorError, type Origin } from '@expeditor/shared/errors';
import type { ClassifiedDocument } from './documents.ts';
import type { EnvironmentRefs } from './plan.ts';
import type { ManifestDocument } from './manifest.ts';
import { hasRollouts, rolloutFor, type ManifestRollout } from './rollout-manifest.ts';

/**
 * Per service, its Rollout; undefined when the manifest has none. Rollouts and Deployments in one
 * call are refused: the two are waited for and reported differently (colors against ReplicaSets).
 */
export function rolloutsOf(
  documents: readonly ManifestDocument[],
  services: readonly string[],
  path: string,
  origin: Origin,
): Map<string, ManifestRollout> | undefined {
  if (!hasRollouts(documents)) return undefined;
  const found = new Map<string, ManifestRollout>();
  for (const service of services) {
    const rollout = rolloutFor(documents, service, services.length, origin);
    if (rollout) found.set(service, rollout);
  }
  const without = services.filter((s) => !found.has(s));
  if (found.size === 0) {
    throw new ExpeditorError(
      `${path} has Rollouts, but none for ${services.length === 1 ? 'service' : 'services'} ${services.join(', ')}`,
      { input: 'manifest', unchanged: 'nothing was changed', next: `name the Rollout after the service or label it app: ${services[0]}` },
    );
  }
  if (without.length > 0) {
    throw new ExpeditorError(
      `${path} gives Rollouts for ${[...found.keys()].join(', ')} but not for ${without.join(', ')}: one call deploys Rollouts or Deployments, not both`,
      { input: 'services', unchanged: 'nothing was changed', next: 'deploy the Rollouts and the Deployments in separate steps' },
    );
  }
  return found;
}

/** With Rollouts, every document besides them is applied as it is (images set where they run the repository). */
export function rolloutDispositions(documents: readonly ClassifiedDocument[]): ClassifiedDocument[] {
  return documents.map((d) =>
    d.disposition.kind === 'workload' || d.disposition.kind === 'apply' ? d : { ...d, disposition: { kind: 'apply' as const, images: [] } },
  );
}

/** A rolling strategy says "update the Deployment in place"; a Rollout's own spec.strategy decides instead. */
export function refuseRollingRollouts(strategy: string, origin: { input?: string; key?: string }): void {
  if (strategy !== 'rolling') return;
  throw new ExpeditorError(
    'strategy rolling updates a Deployment in place, but the manifest gives Rollouts: their spec.strategy.blueGreen decides how they roll out',
    {
      ...origin,
      unchanged: 'nothing was changed',
      next: 'leave the strategy at blue-green (the default) for Rollouts, or deploy a Deployment',
    },
  );
}

/**
 * The environment file's references (config-maps, secrets, service-account, irsa-role) go into the
 * colors' Deployments; deploy-eks does not rewrite a Rollout's template with them, and pods that
 * start without their configuration fail later and further away: refused naming the key.
 */
export function refuseRolloutRefs(refs: EnvironmentRefs): void {
  const set = [
    ['config-maps', refs.configMaps.length > 0],
    ['secrets', refs.secrets.length > 0],
    ['service-account', refs.serviceAccount !== undefined],
    ['irsa-role', refs.irsaRole !== undefined],
  ].filter(([, given]) => given);
  const first = set[0]?.[0];
  if (!first || !refs.key) return;
  throw new ExpeditorError(
    `${refs.key}.${first} is set, but the manifest gives Rollouts: deploy-eks does not add the environment's references to a Rollout's template`,
    {
      key: `${refs.key}.${first}`,
      unchanged: 'nothing was changed',
      next: `reference ${set.map(([k]) => k).join(', ')} in the Rollout's spec.template (envFrom, serviceAccountName), and leave them out of the environment's eks section`,
    },
  );
}

/**
 * The environment's eks.rollout names the Rollout bluegreen-switch will promote: a manifest without
 * it would deploy something the switch cannot find, so it is refused here, before any change.
 */
export function checkNamedRollout(
  rollouts: ReadonlyMap<string, ManifestRollout> | undefined,
  named: string | undefined,
  key: string,
  path: string,
): void {
  if (!named) return;
  const names = [...(rollouts?.values() ?? [])].map((r) => r.rollout.metadata?.name ?? '');
  if (names.includes(named)) return;
  throw new ExpeditorError(
    names.length === 0
      ? `${key} names Rollout ${named}, but ${path} gives no Rollout for the services deployed`
      : `${key} names Rollout ${named}, but ${path} gives ${names.join(', ')}`,
    {
      key,
      unchanged: 'nothing was changed',
      next: `deploy the Rollout ${named} from the manifest, or correct ${key} (bluegreen-switch promotes the Rollout it names)`,
    },
  );
}
