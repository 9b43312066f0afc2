// The bring-up's decision, without any network call: from what the namespace holds (read.ts),
// each service's live color, template and target objects — the Deployment, a copy of the live
// HPA, the preview Service (and the color's own Service on the Ingress route), a ServiceAccount
// for IRSA — and the versions of those already there, for apply.ts to replace.
import type { V1Deployment, V1Service, V1ServiceAccount, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { ExpeditorError } from '@expeditor/shared/errors';
import type { Log } from '@expeditor/shared/log';
import {
  annotations,
  colors,
  colorServiceName,
  deploymentName,
  hpaName,
  isColor,
  otherColor,
  type Color,
} from '@expeditor/bluegreen/names';
import type { ServiceNames } from '@expeditor/bluegreen/service-names';
import { repositoryOf } from '@expeditor/shared/patterns';
import { namesOf, type DeployEksPlan } from './plan.ts';
import type { NamespaceView } from './read.ts';
import { buildColorService, buildTargetDeployment, copyHpa } from './target.ts';
import { liveFromIngress } from './ingress.ts';
import { refuseTakers, servingServices } from './traffic.ts';
import type { ClassifiedDocument } from './documents.ts';
import type { DocumentWrite } from './manifest-apply.ts';

/** What a write needs to know of an object already there: replace it at this version. */
export interface Existing {
  resourceVersion: string;
  clusterIP?: string | undefined;
  clusterIPs?: string[] | undefined;
}

export interface Prepared {
  service: string;
  /** Its stable and preview Service. */
  names: ServiceNames;
  live: Color | undefined;
  target: Color;
  stable: V1Service | undefined;
  deployment: V1Deployment;
  hpa: V2HorizontalPodAutoscaler | undefined;
  preview: V1Service;
  colorService: V1Service | undefined;
  /** A ServiceAccount to create for IRSA, when missing. */
  serviceAccount: V1ServiceAccount | undefined;
  /** Where the template came from, for the summary. */
  templateFrom: string;
  /** The target's objects already there (from an earlier run), by `<kind>/<name>`. */
  existing: Map<string, Existing>;
  /** The target color's copies of the manifest's other per-color documents (PDBs), applied server-side. */
  perColor: DocumentWrite[];
}

function perColorDocument(plan: DeployEksPlan, service: string, kind: string): ClassifiedDocument | undefined {
  return plan.documents.find((d) => d.kind === kind && d.disposition.kind === 'per-color' && d.disposition.service === service);
}

/** The manifest's HPA as autoscaling/v2 (a v1 one's CPU target becomes the v2 metric). */
function hpaOfManifest(d: ClassifiedDocument, plan: DeployEksPlan): V2HorizontalPodAutoscaler {
  const object = structuredClone(d.object) as unknown as V2HorizontalPodAutoscaler & {
    spec?: { targetCPUUtilizationPercentage?: number };
  };
  if (d.object.apiVersion === 'autoscaling/v2') return object;
  if (d.object.apiVersion === 'autoscaling/v1') {
    const cpu = object.spec?.targetCPUUtilizationPercentage;
    const { targetCPUUtilizationPercentage: _, ...rest } = object.spec ?? {};
    return {
      ...object,
      apiVersion: 'autoscaling/v2',
      spec: {
        ...(rest as NonNullable<V2HorizontalPodAutoscaler['spec']>),
        ...(cpu !== undefined
          ? { metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } }] }
          : {}),
      },
    };
  }
  throw new ExpeditorError(
    `${d.where}: HorizontalPodAutoscaler ${d.name} has apiVersion ${String(d.object.apiVersion)}, expected autoscaling/v2 or v1`,
    {
      ...plan.manifestOrigin,
      unchanged: 'nothing was changed',
      next: 'use apiVersion: autoscaling/v2',
    },
  );
}

/** A PDB per color: the manifest's, named `<name>-<color>`, its selector narrowed to the color. */
function perColorCopies(plan: DeployEksPlan, service: string, color: Color, stamp: Record<string, string>): DocumentWrite[] {
  return plan.documents
    .filter((d) => d.kind === 'PodDisruptionBudget' && d.disposition.kind === 'per-color' && d.disposition.service === service)
    .map((d) => {
      const object = structuredClone(d.object) as {
        metadata?: Record<string, unknown>;
        spec?: { selector?: { matchLabels?: Record<string, string> } };
      };
      const name = `${d.name}-${color}`;
      const body = {
        apiVersion: String(d.object.apiVersion),
        kind: d.kind,
        metadata: {
          name,
          namespace: plan.namespace,
          labels: { ...(object.metadata?.labels as Record<string, string> | undefined), [plan.colorLabel]: color },
          annotations: { ...stamp },
        },
        spec: {
          ...object.spec,
          selector: { ...object.spec?.selector, matchLabels: { ...object.spec?.selector?.matchLabels, [plan.colorLabel]: color } },
        },
      };
      return { document: d, body, line: `PodDisruptionBudget ${name} for ${color} (from ${d.where})` };
    });
}

/**
 * The live color of `service`: on the Ingress route the Ingress's (the switch moves the Ingress,
 * not the stable Service), else the selector of the stable Service (`<service>` or the configured
 * name); undefined on a first deploy.
 */
export function liveColorOf(view: NamespaceView, plan: DeployEksPlan, service: string, log?: Log): Color | undefined {
  const names = namesOf(plan, service);
  // An Ingress the manifest brings and the cluster lacks yet is a first deploy, not a missing Ingress.
  const brought = plan.ingress !== undefined && plan.documents.some((d) => d.disposition.kind === 'ingress' && d.name === plan.ingress);
  const named = brought && !view.ingresses.some((i) => i.metadata?.name === plan.ingress) ? undefined : plan.ingress;
  const fromIngress =
    plan.route === 'ingress' && (named !== undefined || !brought)
      ? liveFromIngress(view.ingresses, service, named, plan.ingressOrigin)
      : undefined;
  if (fromIngress) return fromIngress;
  const stable = view.services.get(names.stable);
  if (!stable) {
    // A blue/green made by hand (Deployment myapp-blue behind the team's Service myapp-service):
    // the color some Service of the team sends traffic to is live, whatever that Service is called.
    const serving = (c: Color) => servingServices(view, names, view.deployments.get(deploymentName(service, c)));
    const served = colors.filter((c) => serving(c).length > 0);
    if (served.length === 2) {
      throw new ExpeditorError(
        `both ${deploymentName(service, 'blue')} and ${deploymentName(service, 'green')} take traffic (${colors.map((c) => `${c}: Service ${serving(c).join(', ')}`).join('; ')}): no color is idle to deploy to`,
        { input: 'services', unchanged: 'nothing was changed', next: 'point the Services at one color first' },
      );
    }
    const adopted = served[0];
    if (adopted) {
      log?.info(
        `${service}: no Service ${names.stable}, but Service ${serving(adopted).join(', ')} sends traffic to ${deploymentName(service, adopted)}: ${adopted} is live`,
      );
    }
    return adopted;
  }
  const value = stable.spec?.selector?.[plan.colorLabel];
  if (!isColor(value)) {
    throw new ExpeditorError(
      `Service ${plan.namespace}/${names.stable} is not set up for blue/green: its selector ${JSON.stringify(stable.spec?.selector ?? {})} has no ${plan.colorLabel}=blue|green`,
      {
        input: names.stable === service ? 'services' : 'stable-service',
        unchanged: 'nothing was changed',
        next: `add ${plan.colorLabel}: <color of the running Deployment> to the Service's selector (and pod labels), or set color-label to the key it uses`,
      },
    );
  }
  return value;
}

/** The template of the target: the manifest's Deployment, else the live color's. */
export function templateFor(
  view: NamespaceView,
  plan: DeployEksPlan,
  service: string,
  live: Color | undefined,
): { template: V1Deployment; from: string } {
  const ns = plan.namespace;
  const manifest = plan.manifests?.get(service);
  if (manifest) return { template: manifest.deployment, from: manifest.where };
  const liveDeployment = live ? view.deployments.get(deploymentName(service, live)) : undefined;
  if (live && liveDeployment) return { template: liveDeployment, from: `Deployment ${deploymentName(service, live)} (live)` };
  if (live) {
    throw new ExpeditorError(
      `Deployment ${ns}/${deploymentName(service, live)} does not exist, but Service ${namesOf(plan, service).stable} sends traffic to ${plan.colorLabel}=${live}`,
      {
        input: 'services',
        unchanged: 'nothing was changed',
        next: `give a Deployment manifest (input 'manifest'), or name the live Deployment ${deploymentName(service, live)} (deploy-eks's convention)`,
      },
    );
  }
  throw new ExpeditorError(
    `first deploy of ${service} in ${ns} (no Service ${namesOf(plan, service).stable} yet) needs a Deployment manifest`,
    {
      input: 'manifest',
      unchanged: 'nothing was changed',
      next: "give the 'manifest' input (a file or directory with the service's Deployment)",
    },
  );
}

/** One service's plan from the namespace view: live color, template, target objects. No request. */
export function prepare(view: NamespaceView, plan: DeployEksPlan, service: string, log: Log, stamp: Record<string, string>): Prepared {
  const ns = plan.namespace;
  const names = namesOf(plan, service);
  const stable = view.services.get(names.stable);
  const live = liveColorOf(view, plan, service, log);
  const target: Color = live ? otherColor(live) : 'blue';
  const liveDeployment = live ? view.deployments.get(deploymentName(service, live)) : undefined;
  const { template, from: templateFrom } = templateFor(view, plan, service, live);

  // The HPA: the manifest's aimed at the service's Deployment, else the live color's (named by
  // convention, or any aiming at the live Deployment); the target gets its own copy.
  let hpa: V2HorizontalPodAutoscaler | undefined;
  const manifestHpa = perColorDocument(plan, service, 'HorizontalPodAutoscaler');
  const liveHpa = live
    ? (view.hpas.find((h) => h.metadata?.name === hpaName(service, live)) ??
      view.hpas.find((h) => h.spec?.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === deploymentName(service, live)))
    : undefined;
  const hpaSource = manifestHpa ? hpaOfManifest(manifestHpa, plan) : liveHpa;
  // Replicas: the manifest's when it gives them, else as many as the live color runs now (so the
  // switch does not shrink it under load), else the HPA's minimum; within the HPA's bounds.
  const fromManifest = plan.manifests?.get(service)?.deployment.spec?.replicas;
  const liveNow = liveHpa
    ? (liveHpa.status?.currentReplicas ?? liveDeployment?.status?.replicas ?? liveDeployment?.spec?.replicas)
    : liveDeployment?.spec?.replicas;
  let replicas = fromManifest ?? liveNow ?? hpaSource?.spec?.minReplicas ?? template.spec?.replicas ?? 1;
  if (hpaSource) {
    hpa = copyHpa(hpaSource, { service, namespace: ns, color: target, colorLabel: plan.colorLabel, stamp });
    replicas = Math.max(hpa.spec?.minReplicas ?? 1, Math.min(hpa.spec?.maxReplicas ?? replicas, replicas));
  }

  const deployment = buildTargetDeployment(template, {
    service,
    namespace: ns,
    color: target,
    colorLabel: plan.colorLabel,
    image: plan.images[service] ?? plan.image,
    repository: repositoryOf(plan.images[service] ?? plan.image),
    container: plan.container,
    replicas,
    refs: plan.refs,
    stamp,
  });

  // Live traffic is never rewritten: no Service of the team may take the new pods before a switch.
  if (live) refuseTakers(view, plan, names, { live, target, deployment }, log);

  // IRSA: the pods' ServiceAccount carries the role; one that is missing is created. An existing
  // one is shared with the live color, so it is not changed here (only reported).
  let serviceAccount: V1ServiceAccount | undefined;
  const saName = deployment.spec?.template.spec?.serviceAccountName;
  if (plan.refs.irsaRole && saName) {
    const existing = view.serviceAccounts.get(saName);
    if (!existing) {
      serviceAccount = {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: saName, namespace: ns, annotations: { [annotations.irsa]: plan.refs.irsaRole } },
      };
    } else if (existing.metadata?.annotations?.[annotations.irsa] !== plan.refs.irsaRole) {
      log.warning(
        `ServiceAccount ${ns}/${saName} has ${annotations.irsa}=${existing.metadata?.annotations?.[annotations.irsa] ?? '(none)'}, the environment says ${plan.refs.irsaRole}; left as it is because the live color uses it too`,
        plan.refs.key ? { key: `${plan.refs.key}.irsa-role` } : undefined,
      );
    }
  }

  // Ports and selector come from the stable Service (the manifest's on a first deploy), else (Ingress
  // route) the live color's Service: one rule, so every color's Service has the same ports and a
  // rollback finds the port the Ingress names.
  const manifestStable = plan.documents.find((d) => d.disposition.kind === 'stable-service' && d.disposition.service === service)?.object as
    | V1Service
    | undefined;
  const portsFrom = stable ?? manifestStable ?? (live ? view.services.get(colorServiceName(service, live)) : undefined);
  const serviceSpec = { service, namespace: ns, color: target, colorLabel: plan.colorLabel, live, stable: portsFrom, deployment, stamp };
  const preview = buildColorService(serviceSpec, { name: names.preview, role: 'preview' });
  const colorService =
    plan.route === 'ingress' ? buildColorService(serviceSpec, { name: colorServiceName(service, target), role: 'color' }) : undefined;
  const existing = new Map<string, Existing>();
  const known = (name: string | undefined, object: { metadata?: { resourceVersion?: string }; spec?: object } | undefined) => {
    if (name && object?.metadata?.resourceVersion) {
      const spec = object.spec as { clusterIP?: string; clusterIPs?: string[] } | undefined;
      existing.set(name, { resourceVersion: object.metadata.resourceVersion, clusterIP: spec?.clusterIP, clusterIPs: spec?.clusterIPs });
    }
  };
  known(`Deployment/${deployment.metadata?.name}`, view.deployments.get(deployment.metadata?.name ?? ''));
  known(`Service/${preview.metadata?.name}`, view.services.get(preview.metadata?.name ?? ''));
  if (colorService) known(`Service/${colorService.metadata?.name}`, view.services.get(colorService.metadata?.name ?? ''));
  if (hpa)
    known(
      `HorizontalPodAutoscaler/${hpa.metadata?.name}`,
      view.hpas.find((h) => h.metadata?.name === hpa.metadata?.name),
    );
  const perColor = perColorCopies(plan, service, target, stamp);
  return { service, names, live, target, stable, deployment, hpa, preview, colorService, serviceAccount, templateFrom, existing, perColor };
}
