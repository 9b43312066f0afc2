// The live color on the Ingress route: the color whose Service (`<service>-<color>`) the Ingress
// paths send traffic to — a plain backend, or the AWS Load Balancer Controller forward action
// (`<service>-canary`) bluegreen-switch uses for a canary. The stable Service's selector is not
// what the switch moves on this route, so it does not say which color is live.
import type { V1Ingress } from '@kubernetes/client-node';
import { ExpeditorError, type Origin } from '@expeditor/shared/errors';
import { colors, type Color } from '@expeditor/bluegreen/names';
import { trafficAcross } from '@expeditor/bluegreen/ingress';

/**
 * The live color from the Ingresses (`name` when the plan names one). Both colors taking traffic
 * (a canary stopped half-way) is an error: neither color is idle, so neither may be overwritten.
 */
export function liveFromIngress(
  ingresses: readonly V1Ingress[],
  service: string,
  name: string | undefined,
  origin: Origin,
): Color | undefined {
  const chosen = name ? ingresses.filter((i) => i.metadata?.name === name) : ingresses;
  if (name && chosen.length === 0) {
    throw new ExpeditorError(`Ingress ${name} does not exist`, {
      ...origin,
      unchanged: 'nothing was changed',
      next: 'check the Ingress name (input ingress or eks.ingress), or leave it out to look at every Ingress of the namespace',
    });
  }
  const traffic = trafficAcross(chosen, service);
  if (!traffic) return undefined;
  const serving = colors.filter((c) => traffic.weights[c] > 0);
  if (serving.length === 2) {
    throw new ExpeditorError(
      `both colors of ${service} take traffic (${traffic.where.join(', ')}: blue ${traffic.weights.blue}, green ${traffic.weights.green}): no color is idle to deploy to`,
      {
        input: 'services',
        unchanged: 'nothing was changed',
        next: 'finish the canary or roll it back with bluegreen-switch, then deploy again',
      },
    );
  }
  return serving[0];
}
