// The objects deploy-eks writes for the target color, built from a template (the manifest's
// Deployment or the live color's) without any network call: the Deployment, a copy of the live
// HPA, the preview Service (and the color's own Service on the Ingress route).
import type { V1Container, V1Deployment, V1Service, V1ServicePort, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { ExpeditorError } from '@expeditor/shared/errors';
import { repositoryOf } from '@expeditor/shared/patterns';
import type { DeployEksPlan, EnvironmentRefs } from './plan.ts';
import {
  annotations,
  deploymentName,
  hpaName,
  isCarriedAnnotation,
  previewServiceName,
  serviceLabel,
  type Color,
} from '@expeditor/bluegreen/names';

/** The expeditor.dev/* annotations of this run on what it writes for `service`. */
export function runStamp(plan: Pick<DeployEksPlan, 'image' | 'images' | 'source'>, service: string, now: Date): Record<string, string> {
  return {
    [annotations.image]: plan.images[service] ?? plan.image,
    [annotations.deployedAt]: now.toISOString(),
    ...(plan.source.sha ? { [annotations.revision]: plan.source.sha } : {}),
    ...(plan.source.runUrl ? { [annotations.runUrl]: plan.source.runUrl } : {}),
  };
}

export interface TargetSpec {
  service: string;
  namespace: string;
  color: Color;
  colorLabel: string;
  image: string;
  repository: string;
  /** The container input, when given. */
  container: string | undefined;
  replicas: number;
  refs: EnvironmentRefs;
  /** expeditor.dev/* annotations of this run. */
  stamp: Record<string, string>;
}

/** The target Deployment: the template with our name, labels, selector, image, replicas and refs. */
export function buildTargetDeployment(template: V1Deployment, spec: TargetSpec): V1Deployment {
  const t = structuredClone(template);
  // The user's labels stay as they are: only the color is added to the selector, and our service
  // label to the pods (not the selector). A template without any selector gets app: <service>.
  const userMatch = withoutKey(t.spec?.selector?.matchLabels, spec.colorLabel);
  const base: Record<string, string> =
    Object.keys(userMatch).length > 0 || t.spec?.selector?.matchExpressions?.length ? {} : { app: spec.service };
  const colorLabels = { ...base, [spec.colorLabel]: spec.color };
  const podTemplate = t.spec?.template ?? {};
  const podSpec = podTemplate.spec ?? { containers: [] };
  const containers = podSpec.containers ?? [];
  const container = pickContainer(containers, spec);
  container.image = spec.image;
  // Init containers of the same repository (a migration, say) run the same release.
  for (const init of podSpec.initContainers ?? []) {
    if (init.image && repositoryOf(init.image) === spec.repository) init.image = spec.image;
  }
  for (const c of containers) addEnvironmentRefs(c, spec.refs);
  if (spec.refs.serviceAccount) podSpec.serviceAccountName = spec.refs.serviceAccount;
  else if (spec.refs.irsaRole && !podSpec.serviceAccountName) podSpec.serviceAccountName = spec.service;
  const podLabels = { ...withoutKey(podTemplate.metadata?.labels, 'pod-template-hash'), ...colorLabels, [serviceLabel]: spec.service };
  const matchLabels = { ...userMatch, ...colorLabels };
  const carried = Object.fromEntries(Object.entries(t.metadata?.annotations ?? {}).filter(([k]) => isCarriedAnnotation(k)));
  const podMetadata = { ...podTemplate.metadata, labels: podLabels };
  delete (podMetadata as { creationTimestamp?: unknown }).creationTimestamp;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: deploymentName(spec.service, spec.color),
      namespace: spec.namespace,
      labels: { ...t.metadata?.labels, ...colorLabels, [serviceLabel]: spec.service },
      annotations: { ...carried, ...spec.stamp },
    },
    spec: {
      ...t.spec,
      replicas: spec.replicas,
      selector: { ...t.spec?.selector, matchLabels },
      template: { ...podTemplate, metadata: podMetadata, spec: { ...podSpec, containers } },
    },
  };
}

function pickContainer(containers: V1Container[], spec: TargetSpec): V1Container {
  if (spec.container) {
    const named = containers.find((c) => c.name === spec.container);
    if (!named) {
      throw new ExpeditorError(
        `the Deployment template of ${spec.service} has no container ${JSON.stringify(spec.container)} (have: ${containers.map((c) => c.name).join(', ')})`,
        {
          input: 'container',
          unchanged: 'nothing was changed',
        },
      );
    }
    return named;
  }
  const byRepository = containers.filter((c) => c.image && repositoryOf(c.image) === spec.repository);
  if (byRepository.length === 1 && byRepository[0]) return byRepository[0];
  const only = containers.length === 1 ? containers[0] : undefined;
  if (only && byRepository.length === 0) {
    // Never "the only container" across repositories: with several services in one call, that put
    // one service's image into the others.
    throw new ExpeditorError(
      `the only container of ${spec.service}'s Deployment template (${only.name}) runs ${only.image ?? 'no image'}, not ${spec.repository}: refusing to replace it with another repository's image`,
      {
        input: 'container',
        unchanged: 'nothing was changed',
        next: `give the 'container' input (${only.name}) if it should get ${spec.repository}, or check the image and the services input`,
      },
    );
  }
  throw new ExpeditorError(
    `the Deployment template of ${spec.service} has ${containers.length} containers and ${byRepository.length === 0 ? 'none runs' : 'several run'} ${spec.repository}: which one gets the new image?`,
    {
      input: 'container',
      unchanged: 'nothing was changed',
      next: `give the 'container' input (one of ${containers.map((c) => c.name).join(', ')})`,
    },
  );
}

function addEnvironmentRefs(container: V1Container, refs: EnvironmentRefs): void {
  const envFrom = container.envFrom ?? [];
  for (const name of refs.configMaps) {
    if (!envFrom.some((e) => e.configMapRef?.name === name)) envFrom.push({ configMapRef: { name } });
  }
  for (const name of refs.secrets) {
    if (!envFrom.some((e) => e.secretRef?.name === name)) envFrom.push({ secretRef: { name } });
  }
  if (envFrom.length > 0) container.envFrom = envFrom;
}

function withoutKey(labels: Record<string, string> | undefined, key: string): Record<string, string> {
  const copy = { ...labels };
  delete copy[key];
  return copy;
}

/** The target's own HPA: the live one's bounds and metrics, aimed at the target Deployment. */
export function copyHpa(
  live: V2HorizontalPodAutoscaler,
  spec: Pick<TargetSpec, 'service' | 'namespace' | 'color' | 'colorLabel' | 'stamp'>,
): V2HorizontalPodAutoscaler {
  const source = structuredClone(live);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: hpaName(spec.service, spec.color),
      namespace: spec.namespace,
      labels: { ...source.metadata?.labels, [serviceLabel]: spec.service, [spec.colorLabel]: spec.color },
      annotations: { ...spec.stamp },
    },
    spec: {
      ...(source.spec as NonNullable<V2HorizontalPodAutoscaler['spec']>),
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName(spec.service, spec.color) },
    },
  };
}

export interface ServiceSpec {
  service: string;
  namespace: string;
  color: Color;
  colorLabel: string;
  live: Color | undefined;
  /** The stable Service, when there is one: its selector and ports are copied. */
  stable: V1Service | undefined;
  /** The target Deployment, for ports when there is no stable Service. */
  deployment: V1Deployment;
  stamp: Record<string, string>;
}

/** A Service selecting the target color: the preview Service (by default `<service>-preview`), or the color's own Service. */
export function buildColorService(
  spec: ServiceSpec,
  as: { name: string; role: 'preview' | 'color' } = { name: previewServiceName(spec.service), role: 'preview' },
): V1Service {
  const { name } = as;
  // The stable Service's selector, else the pods' own (the Deployment's), with the color.
  const selector = {
    ...(spec.stable?.spec?.selector ?? spec.deployment.spec?.selector?.matchLabels ?? { app: spec.service }),
    [spec.colorLabel]: spec.color,
  };
  const ports = spec.stable?.spec?.ports?.map(copyPort) ?? portsOf(spec.deployment);
  const preview = as.role === 'preview';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: spec.namespace,
      labels: { [serviceLabel]: spec.service, 'expeditor.dev/role': preview ? 'preview' : 'color' },
      annotations: {
        ...spec.stamp,
        ...(preview ? { [annotations.targetColor]: spec.color, [annotations.liveColor]: spec.live ?? '' } : {}),
      },
    },
    spec: {
      type: 'ClusterIP',
      selector,
      // A Service needs ports unless it is headless; without any known port the preview is headless.
      ...(ports.length > 0 ? { ports } : { clusterIP: 'None' }),
    },
  };
}

function copyPort(port: V1ServicePort): V1ServicePort {
  return {
    ...(port.name ? { name: port.name } : {}),
    port: port.port,
    ...(port.targetPort !== undefined ? { targetPort: port.targetPort } : {}),
    ...(port.protocol ? { protocol: port.protocol } : {}),
    ...(port.appProtocol ? { appProtocol: port.appProtocol } : {}),
  };
}

function portsOf(deployment: V1Deployment): V1ServicePort[] {
  const seen = new Set<number>();
  const ports: V1ServicePort[] = [];
  for (const container of deployment.spec?.template?.spec?.containers ?? []) {
    for (const p of container.ports ?? []) {
      if (seen.has(p.containerPort)) continue;
      seen.add(p.containerPort);
      ports.push({
        name: p.name ?? `port-${p.containerPort}`,
        port: p.containerPort,
        targetPort: p.containerPort,
        protocol: p.protocol ?? 'TCP',
      });
    }
  }
  return ports;
}
