// The manifest's documents besides the services' Deployments (documents.ts decided what happens
// to each): applied server-side as the field manager `expeditor`, so fields other tools own survive;
// all of them tried first as a dry run, so an object the apiserver refuses stops the run before
// anything is written. On a first deploy the stable Service and the Ingress are created pointing
// at the target color; after that bluegreen-switch owns where they send traffic, so they are not
// touched. Every document gets a line in the log.
import type { V1Ingress, V1IngressBackend, V1Service } from '@kubernetes/client-node';
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import { connectionError, statusOf, type KubeConnection } from '@expeditor/kube/connect';
import { isRetryable, withRetry } from '@expeditor/shared/retry';
import { repositoryOf } from '@expeditor/shared/patterns';
import type { Log } from '@expeditor/shared/log';
import { colorOfServiceName, colorServiceName, type Color } from '@expeditor/bluegreen/names';
import { type ClassifiedDocument, dispositionText, podSpecOf } from './documents.ts';
import { namesOf, type DeployEksPlan } from './plan.ts';
import type { NamespaceView } from './read.ts';

export const fieldManager = 'expeditor';

type KubeObject = { apiVersion: string; kind: string; metadata: Record<string, unknown> } & Record<string, unknown>;

export interface DocumentWrite {
  document: ClassifiedDocument;
  body: KubeObject;
  /** What the log says once it is written. */
  line: string;
}

/** Metadata the server sets, which `kubectl get -o yaml` prints and an apply must not send. */
export const serverFields = ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation', 'selfLink'] as const;

/** What `kubectl get -o yaml` adds and an apply must not send (a resourceVersion would make it conditional). */
function applyBody(document: ClassifiedDocument, namespace: string): KubeObject {
  const body = structuredClone(document.object) as KubeObject;
  const metadata = { ...(body.metadata ?? {}) };
  for (const key of serverFields) delete metadata[key];
  if (document.kind !== 'Namespace') metadata.namespace = namespace;
  body.metadata = metadata;
  delete body.status;
  return body;
}

/** The named containers get the deployed image of the repository they run. */
function setImage(body: KubeObject, containers: readonly string[], images: readonly string[]): void {
  const byRepository = new Map(images.map((i) => [repositoryOf(i), i]));
  const spec = podSpecOf(body) as {
    containers?: { name?: string; image?: string }[];
    initContainers?: { name?: string; image?: string }[];
  };
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    const image = c.image ? byRepository.get(repositoryOf(c.image)) : undefined;
    if (containers.includes(c.name ?? '') && image) c.image = image;
  }
}

/** The shared documents, as they will be applied (Namespace first). */
export function sharedWrites(plan: DeployEksPlan): DocumentWrite[] {
  const writes = plan.documents.flatMap((d): DocumentWrite[] => {
    if (d.disposition.kind !== 'apply') return [];
    const body = applyBody(d, plan.namespace);
    setImage(body, d.disposition.images, Object.values(plan.images));
    return [{ document: d, body, line: `${dispositionText(d)} (${d.where})` }];
  });
  return writes.sort((a, b) => Number(b.document.kind === 'Namespace') - Number(a.document.kind === 'Namespace'));
}

/**
 * The stable Services and Ingresses of the manifest that do not exist yet (a first deploy): the
 * Service selects the target color, the Ingress's backends to a deployed service go to the
 * target color's Service. Those that exist are reported and left to bluegreen-switch.
 */
export function firstDeployWrites(
  plan: DeployEksPlan,
  view: NamespaceView,
  targets: ReadonlyMap<string, Color>,
  log: Log,
): DocumentWrite[] {
  const writes: DocumentWrite[] = [];
  for (const d of plan.documents) {
    if (d.disposition.kind === 'stable-service') {
      const target = targets.get(d.disposition.service);
      if (view.services.has(d.name) || !target) {
        log.info(`${d.kind} ${d.name} (${d.where}): exists, left as it is (bluegreen-switch moves its selector)`);
        continue;
      }
      const body = applyBody(d, plan.namespace) as KubeObject & V1Service;
      body.spec = { ...body.spec, selector: { ...body.spec?.selector, [plan.colorLabel]: target } };
      writes.push({ document: d, body, line: `created Service ${d.name} → ${plan.colorLabel}=${target} (first deploy; ${d.where})` });
    } else if (d.disposition.kind === 'ingress') {
      if (view.ingresses.some((i) => i.metadata?.name === d.name)) {
        log.info(`${d.kind} ${d.name} (${d.where}): exists, left as it is (bluegreen-switch moves its backends)`);
        continue;
      }
      const body = applyBody(d, plan.namespace) as KubeObject & V1Ingress;
      const moved = pointAtColors(body, plan, targets);
      writes.push({
        document: d,
        body,
        line: `created Ingress ${d.name}${moved.length ? `, backends ${moved.join(', ')}` : ''} (first deploy; ${d.where})`,
      });
    }
  }
  return writes;
}

/** Backends naming a deployed service's stable Service (or one of its colors) go to the target color's Service. */
function pointAtColors(ingress: V1Ingress, plan: Pick<DeployEksPlan, 'services' | 'names'>, targets: ReadonlyMap<string, Color>): string[] {
  const moved: string[] = [];
  const move = (backend: V1IngressBackend | undefined): void => {
    const name = backend?.service?.name;
    if (!backend?.service || !name) return;
    const service = plan.services.find((s) => namesOf(plan, s).stable === name || colorOfServiceName(s, name));
    const target = service ? targets.get(service) : undefined;
    if (!service || !target) return;
    backend.service.name = colorServiceName(service, target);
    moved.push(`${name} → ${backend.service.name}`);
  };
  move(ingress.spec?.defaultBackend);
  for (const rule of ingress.spec?.rules ?? []) for (const path of rule.http?.paths ?? []) move(path.backend);
  return moved;
}

/** Server-side apply of each write, as a dry run first when `dryRun`; refusals name the document. */
export async function applyWrites(connection: KubeConnection, writes: readonly DocumentWrite[], dryRun: boolean): Promise<void> {
  const send = (w: DocumentWrite) =>
    withRetry(() =>
      connection.objects.patch(
        w.body as never,
        undefined,
        dryRun ? 'All' : undefined,
        fieldManager,
        true,
        connection.k8s.PatchStrategy.ServerSideApply,
      ),
    ).catch((error: unknown) => {
      if (connection.signal?.aborted) throw error;
      const status = statusOf(error);
      if (status === 401 || status === 403) throw connectionError(connection, error);
      // A transport failure that outlived the retries is the network's, not the document's.
      if (isRetryable(error)) {
        throw new ExpeditorError(
          `${connection.description} did not answer for ${w.document.kind} ${w.document.name}: ${describeError(error)}`,
          {
            unchanged: dryRun ? 'nothing was changed (a dry run before any write)' : 'the live colors still serve traffic',
            next: 'run the job again; if it keeps failing, check the network path to the cluster',
            cause: error,
          },
        );
      }
      throw new ExpeditorError(`${w.document.where}: the cluster refuses ${w.document.kind} ${w.document.name}: ${describeError(error)}`, {
        input: 'manifest',
        unchanged: dryRun ? 'nothing was changed (found by a dry run before any write)' : 'the live colors still serve traffic',
        next: 'fix the document in the manifest',
        cause: error,
      });
    });
  const namespaces = writes.filter((w) => w.document.kind === 'Namespace');
  for (const w of namespaces) await send(w);
  await Promise.all(writes.filter((w) => w.document.kind !== 'Namespace').map(send));
}
