// The Kubernetes side of deploy-eks's Rollouts, on the connection's generic object API (the Argo
// CRDs have no typed client here): reading a Rollout, a watch source for Rollouts, and the check
// that the cluster serves the kind at all — a cluster without Argo Rollouts is told so before any
// write, instead of the apply failing on the first document.
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import { connectionError, isNotFound, statusOf, type KubeConnection } from '@expeditor/kube/connect';
import type { ListResult, WatchSource } from '@expeditor/kube/watch';
import { withRetry } from '@expeditor/shared/retry';
import { rolloutApiVersion } from '@expeditor/bluegreen/argo-rollout';
import type { LiveRollout } from './rollout-status.ts';

/** What client-node's object API says when discovery does not serve the group or list the kind (the first with a 404). */
const unknownKind = /Failed to fetch resource metadata|Unrecognized API version and kind/;

function noArgoError(connection: KubeConnection, cause: unknown): ExpeditorError {
  return new ExpeditorError(`${connection.description} does not serve ${rolloutApiVersion} Rollout: is Argo Rollouts installed there?`, {
    input: 'manifest',
    unchanged: 'nothing was changed',
    next: 'install Argo Rollouts (its CRDs and controller) in the cluster, or deploy a Deployment',
    cause,
  });
}

/** The live Rollout, or undefined when there is none yet. */
export async function readRollout(connection: KubeConnection, namespace: string, name: string): Promise<LiveRollout | undefined> {
  try {
    return (await withRetry(
      () => connection.objects.read({ apiVersion: rolloutApiVersion, kind: 'Rollout', metadata: { name, namespace } }),
      connection.signal ? { signal: connection.signal } : {},
    )) as unknown as LiveRollout;
  } catch (error) {
    if (error instanceof Error && unknownKind.test(error.message)) throw noArgoError(connection, error);
    if (isNotFound(error)) return undefined;
    const status = statusOf(error);
    if (status === 401 || status === 403 || status === undefined) throw connectionError(connection, error);
    throw new ExpeditorError(`reading Rollout ${namespace}/${name}: ${describeError(error)}`, {
      unchanged: 'nothing was changed',
      cause: error,
    });
  }
}

/** A watch source for one Rollout by name. */
export function rolloutSource(connection: KubeConnection, namespace: string, name: string): WatchSource<LiveRollout> {
  const fieldSelector = `metadata.name=${name}`;
  return {
    path: `/apis/${rolloutApiVersion}/namespaces/${encodeURIComponent(namespace)}/rollouts`,
    fieldSelector,
    list: async () =>
      (await connection.objects.list(
        rolloutApiVersion,
        'Rollout',
        namespace,
        undefined,
        undefined,
        undefined,
        fieldSelector,
      )) as unknown as ListResult<LiveRollout>,
  };
}
