// The switch's Kubernetes calls for Argo Rollouts, on the connection's generic object API (the
// Argo CRDs have no typed client): read a Rollout, merge-patch it or its status subresource, and
// watch sources for Rollouts and AnalysisRuns. The object API has no subresource call, so the
// status patch is a route of its own on the connection (same auth, middleware and counters).
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import { connectionError, isNotFound, statusOf, type KubeConnection } from '@expeditor/kube/connect';
import type { ListResult, WatchSource } from '@expeditor/kube/watch';
import { withRetry } from '@expeditor/shared/retry';
import type { AnalysisRun } from './argo-analysis.ts';
import type { SwitchRollout } from './argo-rollout.ts';
import { rolloutApiVersion as apiVersion } from '@expeditor/bluegreen/argo-rollout';

const base = (namespace: string): string => `/apis/${apiVersion}/namespaces/${encodeURIComponent(namespace)}`;

/** The Rollout, read; refusals name the `rollout` input (missing, or a cluster without Argo Rollouts). */
export async function readSwitchRollout(connection: KubeConnection, namespace: string, name: string): Promise<SwitchRollout> {
  try {
    return (await withRetry(() => connection.objects.read({ apiVersion, kind: 'Rollout', metadata: { name, namespace } }), {
      retries: 3,
      minDelayMs: 100,
    })) as unknown as SwitchRollout;
  } catch (error) {
    // client-node's words when discovery does not serve the group (a 404 too) or list the kind.
    const unknownKind = error instanceof Error && /Failed to fetch resource metadata|Unrecognized API version and kind/.test(error.message);
    if (isNotFound(error) || unknownKind) {
      throw new ExpeditorError(
        unknownKind
          ? `${connection.description} does not serve ${apiVersion} Rollout: is Argo Rollouts installed there?`
          : `Rollout ${name} does not exist in namespace ${namespace}`,
        { input: 'rollout', unchanged: 'nothing was changed', next: "check the 'rollout' and 'namespace' inputs", cause: error },
      );
    }
    const status = statusOf(error);
    if (status === 401 || status === 403 || status === undefined) throw connectionError(connection, error);
    throw new ExpeditorError(`reading Rollout ${namespace}/${name}: ${describeError(error)}`, {
      unchanged: 'nothing was changed',
      cause: error,
    });
  }
}

/** Merge patch of the Rollout's status subresource (not retried: a guarded write is sent once). */
export async function patchRolloutStatus(
  connection: KubeConnection,
  namespace: string,
  name: string,
  patch: object,
): Promise<SwitchRollout> {
  return (await connection.request(
    { method: 'PATCH', path: `/apis/${apiVersion}/namespaces/{namespace}/rollouts/{name}/status`, body: 'any', returns: 'any' },
    { namespace, name, body: patch },
    connection.patchOptions('merge'),
  )) as SwitchRollout;
}

/** Merge patch of the Rollout itself (spec.paused). */
export async function patchRolloutSpec(connection: KubeConnection, namespace: string, name: string, spec: object): Promise<SwitchRollout> {
  return (await connection.objects.patch(
    { apiVersion, kind: 'Rollout', metadata: { name, namespace }, spec } as never,
    undefined,
    undefined,
    undefined,
    undefined,
    connection.k8s.PatchStrategy.MergePatch,
  )) as unknown as SwitchRollout;
}

type Watched = { metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string } };

/** Watch sources: the one Rollout, and the namespace's AnalysisRuns (the caller keeps the Rollout's own). */
export function argoSources(connection: KubeConnection, namespace: string, name: string) {
  const fieldSelector = `metadata.name=${name}`;
  const list = async <T>(kind: string, selector?: string): Promise<ListResult<T & Watched>> =>
    (await connection.objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, selector)) as unknown as ListResult<
      T & Watched
    >;
  return {
    rollout: {
      path: `${base(namespace)}/rollouts`,
      fieldSelector,
      list: () => list<SwitchRollout>('Rollout', fieldSelector),
    } satisfies WatchSource<SwitchRollout & Watched>,
    analysisRuns: {
      path: `${base(namespace)}/analysisruns`,
      list: () => list<AnalysisRun>('AnalysisRun'),
    } satisfies WatchSource<AnalysisRun & Watched>,
  };
}
