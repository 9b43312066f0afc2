// The live color on the Ingress route: the color whose Service (`<service>-<color>`) the Ingress
// paths send traffic to — a plain backend, or the AWS Load Balancer Controller forward action
// (`<service>-canary`) bluegreen-switch uses for a canary. The stable Service's selector is not
// what the switch moves on this route, so it does not say which color is live.
import type { V1Ingress } from '@kubernetes/client-node';
import { ExpeditorError } from '@expeditor/shared/errors';
import { colorServiceName, colors, type Color } from '@expeditor/bluegreen/names';
import type { Origin } from './manifest.ts';

export interface IngressTraffic {
  /** Ingress names and paths that route to the service, for messages. */
  where: string[];
  /** Weight per color over those paths (a plain backend counts 100). */
  weights: Record<Color, number>;
}

const canaryAction = (service: string): string => `${service}-canary`;

/** How the Ingresses route to the service's colors; undefined when none of their paths does. */
export function ingressTraffic(ingresses: readonly V1Ingress[], service: string): IngressTraffic | undefined {
  const traffic: IngressTraffic = { where: [], weights: { blue: 0, green: 0 } };
  const colorOf = (name: string | undefined): Color | undefined => colors.find((c) => colorServiceName(service, c) === name);
  for (const ingress of ingresses) {
    for (const rule of ingress.spec?.rules ?? []) {
      for (const path of rule.http?.paths ?? []) {
        const backend = path.backend.service?.name;
        const where = `Ingress ${ingress.metadata?.name} ${rule.host ?? '*'}${path.path ?? '/'}`;
        const color = colorOf(backend);
        if (color) {
          traffic.weights[color] += 100;
          traffic.where.push(where);
        } else if (backend === canaryAction(service)) {
          const text = ingress.metadata?.annotations?.[`alb.ingress.kubernetes.io/actions.${backend}`];
          let groups: { serviceName?: string; weight?: number }[] = [];
          try {
            groups = (JSON.parse(text ?? '{}') as { forwardConfig?: { targetGroups?: typeof groups } }).forwardConfig?.targetGroups ?? [];
          } catch {
            groups = [];
          }
          for (const g of groups) {
            const c = colorOf(g.serviceName);
            if (c) traffic.weights[c] += g.weight ?? 0;
          }
          traffic.where.push(`${where} (canary action ${backend})`);
        }
      }
    }
  }
  return traffic.where.length > 0 ? traffic : undefined;
}

/**
 * The live color from the Ingresses (`name` when the plan names one). Both colors taking traffic
 * (a canary stopped half-way) is an error: neither color is idle, so neither may be overwritten.
 */
export function liveFromIngress(ingresses: readonly V1Ingress[], service: string, name: string | undefined, origin: Origin): Color | undefined {
  const chosen = name ? ingresses.filter((i) => i.metadata?.name === name) : ingresses;
  if (name && chosen.length === 0) {
    throw new ExpeditorError(`Ingress ${name} does not exist`, {
      ...origin,
      unchanged: 'nothing was changed',
      next: 'check the Ingress name (input ingress or eks.ingress), or leave it out to look at every Ingress of the namespace',
    });
  }
  const traffic = ingressTraffic(chosen, service);
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
