// Which Services of the team carry a service's traffic — any whose selector picks its pods, under
// whatever name (a blue/green made by hand: myapp-service in front of myapp-blue) — so that live
// traffic is never rewritten: deploy-eks's own preview and color Services aside, none may pick the
// pods about to be written, or it would send them traffic before any switch.
import type { V1Deployment } from '@kubernetes/client-node';
import { ExpeditorError } from '@expeditor/shared/errors';
import type { Log } from '@expeditor/shared/log';
import { colorOfServiceName, type Color } from '@expeditor/bluegreen/names';
import { selectorText } from '@expeditor/bluegreen/readiness';
import type { ServiceNames } from '@expeditor/bluegreen/service-names';
import type { DeployEksPlan } from './plan.ts';
import type { NamespaceView } from './read.ts';

/**
 * Services of the team (not deploy-eks's preview and color Services) whose selector picks the
 * pods of `deployment`: they carry its traffic.
 */
export function servingServices(view: NamespaceView, names: ServiceNames, deployment: V1Deployment | undefined): string[] {
  const labels = deployment?.spec?.template?.metadata?.labels;
  if (!labels) return [];
  return [...view.services.values()]
    .filter((s) => {
      const name = s.metadata?.name;
      if (name === names.preview || colorOfServiceName(names.service, name)) return false;
      const selector = s.spec?.selector ?? {};
      return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
    })
    .map((s) => s.metadata?.name ?? '')
    .sort();
}

/**
 * Refuses before any write when a Service of the team would pick the target's new pods: one
 * without the color in its selector, or one already on the target color (a test Service made by
 * hand, which is the preview when named so). On the Ingress route the stable Service is only
 * warned about, as the switch moves the Ingress, not it.
 */
export function refuseTakers(
  view: NamespaceView,
  plan: Pick<DeployEksPlan, 'route' | 'colorLabel'>,
  names: ServiceNames,
  colors: { live: Color; target: Color; deployment: V1Deployment },
  log: Log,
): void {
  const { live, target } = colors;
  let takers = servingServices(view, names, colors.deployment);
  if (plan.route === 'ingress' && takers.includes(names.stable)) {
    log.warning(
      `Service ${names.stable} selects ${target}'s new pods too (on the Ingress route bluegreen-switch moves the Ingress, not this Service): callers of ${names.stable} inside the cluster reach both colors`,
    );
    takers = takers.filter((t) => t !== names.stable);
  }
  if (takers.length === 0) return;
  const selectorOf = (t: string): Record<string, string> => view.services.get(t)?.spec?.selector ?? {};
  const colored = takers.filter((t) => plan.colorLabel in selectorOf(t));
  const why = (t: string): string =>
    colored.includes(t)
      ? `its selector ${selectorText(selectorOf(t))} is on ${target} already`
      : `its selector ${selectorText(selectorOf(t))} has no ${plan.colorLabel}`;
  throw new ExpeditorError(
    `Service ${takers.join(', ')} would send traffic to ${target}'s new pods at once (${takers.map(why).join('; ')}), before any switch`,
    {
      input: 'services',
      unchanged: 'nothing was changed',
      next: [
        colored.length > 0
          ? `if ${colored.join(', ')} is where you try the idle color, make it the preview Service (preview-service: ${colored[0]}, or in the service's eks.services entry)`
          : undefined,
        `add ${plan.colorLabel}: ${live} to the selector of ${takers.join(', ')} (bluegreen-switch moves it), or remove the Service`,
      ]
        .filter(Boolean)
        .join('; else '),
    },
  );
}
