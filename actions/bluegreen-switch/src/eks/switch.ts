// The EKS switch as one call: switch, rollback or cleanup on the service or ingress route. All
// of them end in the same guarded write (guard.ts) after the same readiness check.
import { switchServiceRoute } from './service-route.ts';
import { switchIngressRoute } from './ingress-route.ts';
import { cleanupOldColor } from './cleanup.ts';
import { switchRollout } from './argo-switch.ts';
import type { EksSwitchDeps, EksSwitchOptions, EksSwitchResult } from './types.ts';

export type { EksSwitchDeps, EksSwitchOptions, EksSwitchResult } from './types.ts';

export async function eksSwitch(opts: EksSwitchOptions, deps: EksSwitchDeps): Promise<EksSwitchResult> {
  if (opts.rollout) return switchRollout(opts, deps);
  if (opts.action === 'cleanup') return cleanupOldColor(opts, deps);
  return opts.route === 'service' ? switchServiceRoute(opts, deps) : switchIngressRoute(opts, deps);
}
