// Reads what decides whether a color may take traffic and applies the one readiness predicate
// (@expeditor/bluegreen/readiness), the same deploy-eks waits on.
import { ExpeditorError } from '@expeditor/shared/errors';
import { colorStatus, selectorText, type ColorStatus } from '@expeditor/bluegreen/readiness';
import { deploymentName, type Color } from '@expeditor/bluegreen/names';
import type { Kube } from './kube.ts';

export interface ColorCheck {
  namespace: string;
  service: string;
  color: Color;
  /** What the switched Service (or the color's Service) selects. */
  selector: Record<string, string>;
  /** A Service already on this color whose ready endpoints must be exactly the color's ready pods. */
  endpointsService?: string | undefined;
}

export async function checkColor(kube: Kube, check: ColorCheck): Promise<ColorStatus> {
  const name = deploymentName(check.service, check.color);
  const labelSelector = selectorText(check.selector);
  const [deployment, replicaSets, pods, slices] = await Promise.all([
    kube.readDeployment(check.namespace, name),
    kube.listReplicaSets(check.namespace, labelSelector),
    kube.listPods(check.namespace, labelSelector),
    check.endpointsService ? kube.listSlices(check.namespace, check.endpointsService) : Promise.resolve(undefined),
  ]);
  return colorStatus({
    color: check.color,
    selector: check.selector,
    deployment,
    deploymentName: name,
    replicaSets,
    pods,
    endpoints: check.endpointsService && slices ? { service: check.endpointsService, slices } : undefined,
  });
}

/** The refusal: what is not ready, that nothing changed, and what to do. */
export function notReadyError(verb: string, color: Color, readiness: Pick<ColorStatus, 'problems'>, unchanged: string): ExpeditorError {
  return new ExpeditorError(`refusing to ${verb}: ${color} is not ready:\n${readiness.problems.map((p) => `  - ${p}`).join('\n')}`, {
    unchanged,
    next: `look at ${color}'s pods and events (kubectl describe), fix or redeploy ${color} (deploy-eks), then run the switch again`,
  });
}
