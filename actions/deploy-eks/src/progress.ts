// Where a target color stands, from what the watches hold, by the one readiness predicate the
// switch also uses (@expeditor/bluegreen/readiness): what deploy-eks calls ready, the switch accepts.
import type { V1Deployment, V1EndpointSlice, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { colorStatus, type ColorStatus } from '@expeditor/bluegreen/readiness';
import { deploymentName, type Color } from '@expeditor/bluegreen/names';
import { defaultNames, type ServiceNames } from '@expeditor/bluegreen/service-names';

export type { Failure, FailureKind } from '@expeditor/bluegreen/readiness';

export interface Observed {
  deployment: V1Deployment | undefined;
  replicaSets: readonly V1ReplicaSet[];
  pods: readonly V1Pod[];
  /** The preview Service's EndpointSlices. */
  slices: readonly V1EndpointSlice[];
  /**
   * On the Ingress route, the EndpointSlices of the color's own Service (`<service>-<color>`), the
   * backend the switch will point the Ingress at: it must list the pods too before the color is
   * ready to switch, or the switch would find it behind the preview and refuse.
   */
  colorSlices?: { service: string; slices: readonly V1EndpointSlice[] } | undefined;
}

export type Progress = ColorStatus;

/**
 * `writtenGeneration` is the generation our write returned: status from before it (an idle
 * Deployment that was fully available with the old image) must not count.
 */
export function assess(
  observed: Observed,
  /** The service, or its names when its preview Service is not `<service>-preview`. */
  of: string | ServiceNames,
  color: Color,
  writtenGeneration: number,
  selector?: Record<string, string>,
): Progress {
  const names = typeof of === 'string' ? defaultNames(of) : of;
  return colorStatus({
    color,
    deploymentName: deploymentName(names.service, color),
    deployment: observed.deployment,
    replicaSets: observed.replicaSets,
    pods: observed.pods,
    selector,
    endpoints: [
      { service: names.preview, slices: observed.slices, label: 'preview' },
      ...(observed.colorSlices ? [observed.colorSlices] : []),
    ],
    writtenGeneration,
  });
}
