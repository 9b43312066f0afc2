// An Argo Rollouts `Rollout` as a service's workload: found in the manifest the way a Deployment
// is (named after the service, or labelled app=<service>, or the only one), and checked for what
// deploy-eks can drive before any request. Argo's blue/green is driven to "paused for promotion"
// (bluegreen-switch then promotes or aborts it); a canary strategy is refused naming its key,
// since its steps would run past the point deploy-eks stops at and nothing here promotes them.
import type { V1ObjectMeta, V1PodTemplateSpec } from '@kubernetes/client-node';
import { originError, type Origin } from '@expeditor/shared/errors';
import type { ManifestDocument } from './manifest.ts';
import { rolloutApiVersion } from '@expeditor/bluegreen/argo-rollout';

export interface BlueGreenStrategy {
  activeService?: string;
  previewService?: string;
  autoPromotionEnabled?: boolean;
  autoPromotionSeconds?: number;
  previewReplicaCount?: number;
  scaleDownDelaySeconds?: number;
  prePromotionAnalysis?: unknown;
  postPromotionAnalysis?: unknown;
}

export interface RolloutObject {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta;
  spec: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: V1PodTemplateSpec;
    workloadRef?: unknown;
    paused?: boolean;
    strategy?: { blueGreen?: BlueGreenStrategy; canary?: unknown };
  };
  status?: unknown;
}

export interface ManifestRollout {
  rollout: RolloutObject;
  where: string;
  /** The document as parsed: the key of the workload in the classification of documents. */
  source: Record<string, unknown>;
  activeService: string;
  previewService: string | undefined;
  /** Argo promotes by itself (autoPromotionEnabled is true, Argo's default, when left out). */
  autoPromotion: boolean;
}

const nameOf = (d: ManifestDocument): string => String((d.object.metadata as { name?: unknown } | undefined)?.name ?? '');
const appOf = (d: ManifestDocument): string =>
  String((d.object.metadata as { labels?: Record<string, unknown> } | undefined)?.labels?.app ?? '');

/** True when the manifest holds any Rollout: then each service's workload may be one. */
export function hasRollouts(documents: readonly ManifestDocument[]): boolean {
  return documents.some((d) => d.object.kind === 'Rollout');
}

/**
 * The Rollout for `service` (named after it, else labelled app=<service>, else the only workload of
 * a one-service manifest), checked; undefined when the service's workload is not a Rollout.
 */
export function rolloutFor(
  documents: readonly ManifestDocument[],
  service: string,
  serviceCount: number,
  origin: Origin,
): ManifestRollout | undefined {
  const rollouts = documents.filter((d) => d.object.kind === 'Rollout');
  const onlyWorkload =
    serviceCount === 1 && rollouts.length === 1 && !documents.some((d) => d.object.kind === 'Deployment') ? rollouts[0] : undefined;
  const match = rollouts.find((d) => nameOf(d) === service) ?? rollouts.find((d) => appOf(d) === service) ?? onlyWorkload;
  return match ? checkedRollout(match, origin) : undefined;
}

/** What deploy-eks needs of a Rollout document, refused naming the key that is wrong. */
export function checkedRollout(document: ManifestDocument, origin: Origin): ManifestRollout {
  const rollout = document.object as unknown as RolloutObject;
  const name = nameOf(document);
  const at = `${document.where}: Rollout ${name}`;
  const refuse = (message: string, next: string): never => {
    throw originError(origin, `${at}: ${message}`, { unchanged: 'nothing was changed', next });
  };
  if (rollout.apiVersion !== rolloutApiVersion) {
    refuse(`has apiVersion ${JSON.stringify(rollout.apiVersion)}, expected ${rolloutApiVersion}`, `use apiVersion: ${rolloutApiVersion}`);
  }
  const spec = rollout.spec ?? {};
  if (spec.workloadRef !== undefined) {
    refuse(
      'spec.workloadRef points at a Deployment for its template; deploy-eks sets the image in the Rollout’s own spec.template',
      'put the pod template in spec.template of the Rollout',
    );
  }
  if (spec.strategy?.canary !== undefined) {
    refuse(
      'spec.strategy.canary: deploy-eks drives blue/green Rollouts (to paused for promotion, then bluegreen-switch promotes); a canary’s steps are not followed',
      'use spec.strategy.blueGreen, or run canary Rollouts with kubectl argo rollouts',
    );
  }
  const blueGreen = spec.strategy?.blueGreen;
  if (!blueGreen) refuse('has no spec.strategy.blueGreen', 'give spec.strategy.blueGreen with activeService (and previewService)');
  const activeService = blueGreen?.activeService;
  if (typeof activeService !== 'string' || activeService === '') {
    refuse('spec.strategy.blueGreen.activeService is missing', 'name the Service that carries live traffic');
  }
  const previewService = blueGreen?.previewService;
  if (previewService !== undefined && (typeof previewService !== 'string' || previewService === activeService)) {
    refuse(
      `spec.strategy.blueGreen.previewService ${JSON.stringify(previewService)} must be another Service than activeService`,
      'name a Service of its own for the preview, or leave previewService out',
    );
  }
  const containers = spec.template?.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    refuse('has no spec.template.spec.containers', 'add the containers of the pod template');
  }
  return {
    rollout: structuredClone(rollout),
    where: document.where,
    source: document.object,
    activeService: activeService as string,
    previewService: previewService || undefined,
    autoPromotion: blueGreen?.autoPromotionEnabled !== false,
  };
}
