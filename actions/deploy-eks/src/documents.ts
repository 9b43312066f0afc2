// Every document of the manifest gets a disposition before any request: the services'
// Deployments are brought up per color; an HPA or PDB aimed at one gets a copy per color; the
// stable Service and an Ingress are created on a first deploy and left to bluegreen-switch after;
// other workloads running the image get it; everything else namespaced is applied once (server-side
// apply). What cannot be done is refused naming the document; nothing is dropped without a line.
import type { V1Deployment } from '@kubernetes/client-node';
import { originError, type Origin } from '@expeditor/shared/errors';
import { repositoryOf } from '@expeditor/shared/patterns';
import { colorOfServiceName } from '@expeditor/bluegreen/names';
import { defaultNames, type ServiceNames } from '@expeditor/bluegreen/service-names';
import type { ManifestDocument } from './manifest.ts';

export type Disposition =
  /** The service's Deployment: the template of the target color. */
  | { kind: 'workload'; service: string }
  /** An HPA or PDB for the service's Deployment: one copy per color. */
  | { kind: 'per-color'; service: string }
  /** The service's stable Service: created on a first deploy, else left to the switch (it owns the selector). */
  | { kind: 'stable-service'; service: string }
  /** An Ingress: on the Ingress route created on a first deploy (backends to the color's Service), else left to the switch. */
  | { kind: 'ingress' }
  /** Applied as it is, once (server-side apply); `images` names the containers that get the image. */
  | { kind: 'apply'; images: string[] }
  /** Written by deploy-eks itself (the preview and color Services): the manifest's copy is not used. */
  | { kind: 'ours'; why: string };

export interface ClassifiedDocument extends ManifestDocument {
  kind: string;
  name: string;
  disposition: Disposition;
}

const perColorKinds = new Set(['HorizontalPodAutoscaler', 'PodDisruptionBudget']);
// Workloads whose pods cannot be split into two colors behind one Service.
const notBlueGreen = new Set(['StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Pod']);
// deploy-eks writes into one namespace; these would change the whole cluster.
const clusterScoped = new Set([
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PersistentVolume',
  'PriorityClass',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'Node',
  'RuntimeClass',
]);

type Meta = { name?: unknown; namespace?: unknown; labels?: Record<string, unknown> };
const metaOf = (d: ManifestDocument): Meta => (d.object.metadata as Meta | undefined) ?? {};

/** `kind: List` (what `kubectl get -o yaml` prints) opened into its items. */
export function expandLists(documents: readonly ManifestDocument[]): ManifestDocument[] {
  return documents.flatMap((d) =>
    d.object.kind === 'List' && Array.isArray(d.object.items)
      ? (d.object.items as unknown[]).map((item, i) => ({ object: item as Record<string, unknown>, where: `${d.where} items[${i}]` }))
      : [d],
  );
}

/** The containers of a pod template that run `repository` (init containers too). */
function containersOf(podSpec: unknown, repositories: ReadonlyMap<string, string>): string[] {
  const spec = podSpec as
    | { containers?: { name?: string; image?: string }[]; initContainers?: { name?: string; image?: string }[] }
    | undefined;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]
    .filter((c) => c.image && repositories.has(repositoryOf(c.image)))
    .map((c) => c.name ?? '?');
}

/** The pod spec of a workload document, whatever its kind nests it under. */
export function podSpecOf(object: Record<string, unknown>): unknown {
  const spec = object.spec as Record<string, unknown> | undefined;
  if (object.kind === 'CronJob') {
    return (
      (spec?.jobTemplate as { spec?: { template?: { spec?: unknown } } } | undefined)?.spec?.template as { spec?: unknown } | undefined
    )?.spec;
  }
  if (object.kind === 'Pod') return spec;
  return (spec?.template as { spec?: unknown } | undefined)?.spec;
}

export interface ClassifyOptions {
  services: readonly string[];
  /** Each service's stable and preview Service (the convention's when left out). */
  names?: ReadonlyMap<string, ServiceNames> | undefined;
  /** The services' Deployments as chosen from the manifest (by document). */
  workloads: ReadonlyMap<ManifestDocument['object'], string>;
  /** The repositories of the images deployed, each with its image: containers running one get it. */
  repositories: ReadonlyMap<string, string>;
  namespace: string | undefined;
  route: 'service' | 'ingress';
  /** The label carrying the color: a Service's selector is compared without it. */
  colorLabel: string;
  origin: Origin;
}

/** A disposition for every document, or a refusal naming the first that cannot be deployed. */
export function classifyDocuments(documents: readonly ManifestDocument[], options: ClassifyOptions): ClassifiedDocument[] {
  const refuse = (d: ManifestDocument, message: string, next: string): never => {
    throw originError(options.origin, `${d.where}: ${message}`, { unchanged: 'nothing was changed', next });
  };
  const deploymentOf = new Map<string, string>();
  for (const [object, service] of options.workloads) deploymentOf.set(String((object.metadata as Meta | undefined)?.name ?? ''), service);
  return documents.map((d): ClassifiedDocument => {
    const kind = typeof d.object.kind === 'string' ? d.object.kind : '';
    const name = typeof metaOf(d).name === 'string' ? (metaOf(d).name as string) : '';
    if (!kind || typeof d.object.apiVersion !== 'string')
      refuse(d, 'is not a Kubernetes object (no apiVersion or kind)', 'fix or remove the document');
    if (!name) refuse(d, `${kind} has no metadata.name`, 'name it');
    const at = { ...d, kind, name };
    const namespace = metaOf(d).namespace;
    if (clusterScoped.has(kind)) {
      refuse(
        d,
        `${kind} ${name} is cluster-wide; deploy-eks writes into one namespace`,
        'apply cluster-wide objects in their own step (kubectl apply)',
      );
    }
    if (kind !== 'Namespace' && typeof namespace === 'string' && options.namespace && namespace !== options.namespace) {
      refuse(
        d,
        `${kind} ${name} is in namespace ${namespace}, but this deploy goes to ${options.namespace}`,
        'deploy each namespace in its own step',
      );
    }
    if (kind === 'Namespace' && options.namespace && name !== options.namespace) {
      refuse(
        d,
        `Namespace ${name} is not the namespace this deploy goes to (${options.namespace})`,
        'deploy each namespace in its own step',
      );
    }
    const workload = options.workloads.get(d.object);
    if (workload) return { ...at, disposition: { kind: 'workload', service: workload } };
    if (perColorKinds.has(kind)) {
      const target = perColorTarget(d, deploymentOf, options.workloads);
      if (target) return { ...at, disposition: { kind: 'per-color', service: target } };
    }
    if (kind === 'Service') {
      const namesOf = (s: string): ServiceNames => options.names?.get(s) ?? defaultNames(s);
      // The configured stable Service carries live traffic: never applied as a plain document,
      // which would put its selector back on the color the manifest names.
      const stableOf = options.services.find((s) => namesOf(s).stable === name);
      if (stableOf) return { ...at, disposition: { kind: 'stable-service', service: stableOf } };
      const service = options.services.find((s) => name === namesOf(s).preview || colorOfServiceName(s, name));
      if (service) return { ...at, disposition: { kind: 'ours', why: `deploy-eks writes Service ${name} itself for ${service}` } };
      // The team's own name for the stable Service (myapp-service in front of myapp-blue): it
      // selects a service's pods, so applying it again would move traffic back to the color it names.
      const fronted = frontedService(d, options);
      if (fronted) return { ...at, disposition: { kind: 'stable-service', service: fronted } };
    }
    if (kind === 'Ingress' && options.route === 'ingress') return { ...at, disposition: { kind: 'ingress' } };
    const images = containersOf(podSpecOf(d.object), options.repositories);
    const repository = [...options.repositories.keys()].join(', ');
    if (kind === 'Deployment' && images.length > 0) {
      refuse(
        d,
        `Deployment ${name} runs ${repository} but is not one of the services deployed (${options.services.join(', ')})`,
        `add it to the services input, or take it out of the manifest`,
      );
    }
    if (notBlueGreen.has(kind) && images.length > 0) {
      refuse(
        d,
        `${kind} ${name} runs ${repository}, and a ${kind} cannot be brought up blue/green`,
        'deploy it with kubectl, or run it as a Deployment',
      );
    }
    return { ...at, disposition: { kind: 'apply', images } };
  });
}

/** The service whose pods a Service of the manifest selects (color aside), if any. */
function frontedService(d: ManifestDocument, options: ClassifyOptions): string | undefined {
  const selector = { ...((d.object.spec as { selector?: Record<string, string> } | undefined)?.selector ?? {}) };
  delete selector[options.colorLabel];
  if (Object.keys(selector).length === 0) return undefined;
  for (const [object, service] of options.workloads) {
    const labels = (object as V1Deployment).spec?.template?.metadata?.labels ?? {};
    if (Object.entries(selector).every(([k, v]) => labels[k] === v)) return service;
  }
  return undefined;
}

/** The service whose Deployment an HPA (scaleTargetRef) or PDB (selector ⊆ pod labels) is aimed at. */
function perColorTarget(
  d: ManifestDocument,
  deploymentOf: ReadonlyMap<string, string>,
  workloads: ReadonlyMap<ManifestDocument['object'], string>,
): string | undefined {
  const spec = d.object.spec as Record<string, unknown> | undefined;
  if (d.object.kind === 'HorizontalPodAutoscaler') {
    const ref = spec?.scaleTargetRef as { kind?: string; name?: string } | undefined;
    return ref?.kind === 'Deployment' ? deploymentOf.get(ref.name ?? '') : undefined;
  }
  const matchLabels = (spec?.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels;
  if (!matchLabels || Object.keys(matchLabels).length === 0) return undefined;
  for (const [object, service] of workloads) {
    const labels = (object as V1Deployment).spec?.template?.metadata?.labels ?? {};
    if (Object.entries(matchLabels).every(([k, v]) => labels[k] === v)) return service;
  }
  return undefined;
}

/** One line per document for the log and the summary: what happens to it. */
export function dispositionText(d: ClassifiedDocument): string {
  const what = `${d.kind} ${d.name}`;
  switch (d.disposition.kind) {
    case 'workload':
      return `${what}: the template of ${d.disposition.service}'s target color`;
    case 'per-color':
      return `${what}: one per color, for ${d.disposition.service}`;
    case 'stable-service':
      return `${what}: the stable Service (created on the first deploy; after that bluegreen-switch moves its selector)`;
    case 'ingress':
      return `${what}: created on the first deploy, its backends on the target color's Service; after that bluegreen-switch moves them`;
    case 'apply':
      return d.disposition.images.length > 0 ? `${what}: applied with the image in ${d.disposition.images.join(', ')}` : `${what}: applied`;
    case 'ours':
      return `${what}: not used (${d.disposition.why})`;
  }
}
